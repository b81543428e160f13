// Starts code-server (VS Code's server with the web workbench) on a free loopback port, with
// user data, extensions and XDG folders inside `scratchDir` so nothing outside it is touched.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { spawnTracked } from "./child-processes.mjs";
import { findFreePort } from "./free-port.mjs";
import { codeServerEntry, nodeBin } from "./tool-paths.mjs";

const STARTUP_TIMEOUT_MS = 60_000;

// Settings that keep the workbench quiet and deterministic: no welcome page stealing focus,
// no update or gallery checks that cannot succeed offline.
const USER_SETTINGS = {
	"workbench.startupEditor": "none",
	"workbench.tips.enabled": false,
	"workbench.secondarySideBar.defaultVisibility": "hidden",
	"telemetry.telemetryLevel": "off",
	"update.mode": "none",
	"extensions.autoCheckUpdates": false,
	"extensions.autoUpdate": false,
	"extensions.ignoreRecommendations": true,
	"security.workspace.trust.enabled": false,
	"chat.disableAIFeatures": true
};

// For an instance that checks workspace trust: the folder opens in Restricted Mode without the
// modal trust prompt (which would wait for a click), and files outside it open without asking.
const WORKSPACE_TRUST_SETTINGS = {
	"security.workspace.trust.enabled": true,
	"security.workspace.trust.startupPrompt": "never",
	"security.workspace.trust.banner": "never",
	"security.workspace.trust.untrustedFiles": "open",
	"security.workspace.trust.emptyWindow": false
};

function isolatedEnvironment(scratchDir, extraEnv) {
	const xdg = (name) => {
		const dir = path.join(scratchDir, "xdg", name);
		mkdirSync(dir, { recursive: true });
		return dir;
	};
	return {
		...process.env,
		XDG_DATA_HOME: xdg("data"),
		XDG_CONFIG_HOME: xdg("config"),
		XDG_CACHE_HOME: xdg("cache"),
		XDG_STATE_HOME: xdg("state"),
		...extraEnv
	};
}

/**
 * `testDriver`: only for the harness that loads the extension under test through the `payload` URL
 * parameter. VS Code's smoke-test driver also suppresses every notification toast, so an editor a
 * person uses (`npm start`) or a UI test that checks what a person sees must run without it.
 */
export function codeServerArgs({ configFile, userDataDir, extensionsDir, workspaceTrust = false, testDriver = false }) {
	return [
		codeServerEntry,
		"--config",
		configFile,
		"--user-data-dir",
		userDataDir,
		"--extensions-dir",
		extensionsDir,
		"--disable-telemetry",
		"--disable-update-check",
		...(workspaceTrust ? [] : ["--disable-workspace-trust"]),
		// Without it the built workbench ignores the `payload` URL parameter that carries
		// extensionDevelopmentPath and extensionTestsPath.
		...(testDriver ? ["--vscode-option", "enable-smoke-test-driver"] : [])
	];
}

/** Runs code-server once to completion, e.g. `--install-extension`. Resolves with its output. */
export async function runCodeServerCommand({ scratchDir, extensionsDir, userDataDir, args, timeoutMs = 120_000 }) {
	const child = spawnTracked(
		nodeBin,
		[codeServerEntry, "--user-data-dir", userDataDir, "--extensions-dir", extensionsDir, ...args],
		{
			env: isolatedEnvironment(scratchDir, {}),
			stdio: ["ignore", "pipe", "pipe"]
		}
	);
	let output = "";
	child.stdout.on("data", (chunk) => {
		output += chunk;
	});
	child.stderr.on("data", (chunk) => {
		output += chunk;
	});
	const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
	const code = await new Promise((resolve) => child.once("exit", (exitCode) => resolve(exitCode)));
	clearTimeout(timer);
	if (code !== 0) throw new Error(`code-server ${args.join(" ")} failed (${code}):\n${output}`);
	return output;
}

async function waitForHealthy(url, child, getOutput) {
	const deadline = Date.now() + STARTUP_TIMEOUT_MS;
	while (Date.now() < deadline) {
		if (child.exitCode !== null)
			throw new Error(`code-server exited with ${child.exitCode} during startup:\n${getOutput()}`);
		try {
			const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
			if (response.ok) return;
		} catch {
			// Not listening yet.
		}
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
	throw new Error(`code-server did not answer ${url}/healthz within ${STARTUP_TIMEOUT_MS / 1000} s:\n${getOutput()}`);
}

/**
 * `workspaceTrust`: check workspace trust as a user's editor does (every other instance turns it
 * off, so that the tests run in a trusted workspace without a prompt). `testDriver`: see codeServerArgs.
 * @param {{ scratchDir: string, name: string, extensionsDir?: string, env?: Record<string, string>, port?: number, workspaceTrust?: boolean, testDriver?: boolean }} options
 * @returns {Promise<{ url: string, port: number, userDataDir: string, extensionsDir: string }>}
 */
export async function startCodeServer({
	scratchDir,
	name,
	extensionsDir,
	env = {},
	port: requestedPort,
	workspaceTrust = false,
	testDriver = false
}) {
	const instanceDir = path.join(scratchDir, name);
	const userDataDir = path.join(instanceDir, "user-data");
	const resolvedExtensionsDir = extensionsDir ?? path.join(instanceDir, "extensions");
	mkdirSync(path.join(userDataDir, "User"), { recursive: true });
	writeFileSync(
		path.join(userDataDir, "User", "settings.json"),
		JSON.stringify(workspaceTrust ? { ...USER_SETTINGS, ...WORKSPACE_TRUST_SETTINGS } : USER_SETTINGS, null, "\t")
	);
	mkdirSync(resolvedExtensionsDir, { recursive: true });

	const port = requestedPort ?? (await findFreePort());
	const configFile = path.join(instanceDir, "config.yaml");
	writeFileSync(configFile, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);

	const child = spawnTracked(
		nodeBin,
		codeServerArgs({ configFile, userDataDir, extensionsDir: resolvedExtensionsDir, workspaceTrust, testDriver }),
		{
			env: isolatedEnvironment(scratchDir, env),
			stdio: ["ignore", "pipe", "pipe"]
		}
	);
	// Kept for error messages only; the server's own log is not part of the test output.
	let output = "";
	const keep = (chunk) => {
		output = (output + chunk).slice(-20_000);
	};
	child.stdout.on("data", keep);
	child.stderr.on("data", keep);

	const url = `http://127.0.0.1:${port}`;
	await waitForHealthy(url, child, () => output);
	return { url, port, userDataDir, extensionsDir: resolvedExtensionsDir };
}
