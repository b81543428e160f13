// How Suite 2 gets the extension into the workbench: packaged as a .vsix with @vscode/vsce and
// installed with `code-server --install-extension`, as a user would, so files missing from the
// package show up as failures. Set STEER_INTEGRATION_UI_EXTENSION=development to load the
// development folder instead (faster, but blind to packaging mistakes).
//
// The package is built with --no-dependencies: with its dependencies it would carry every
// optional node-llama-cpp binary installed here (CUDA, Vulkan: hundreds of MB, minutes to zip).
// The installed copy gets the checkout's node_modules through a symlink instead, so the suite
// checks the extension's own files, not how its dependencies are bundled.
import { existsSync, mkdirSync, statSync, symlinkSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { spawnTracked } from "./child-processes.mjs";
import { runCodeServerCommand } from "./code-server.mjs";
import { repoRoot } from "./tool-paths.mjs";

const PACKAGE_TIMEOUT_MS = 180_000;
// Far above what the extension's own files should weigh; a bigger package means the ignore
// rules let in something like build outputs or the tools cache.
const MAX_VSIX_BYTES = 200 * 1024 * 1024;
const fallbackIgnoreFile = path.join(path.dirname(new URL(import.meta.url).pathname), "vsix-fallback.vscodeignore");

function vsceScript() {
	const require = createRequire(path.join(repoRoot, "package.json"));
	try {
		return path.join(path.dirname(require.resolve("@vscode/vsce/package.json")), "vsce");
	} catch {
		throw new Error("@vscode/vsce is not installed: run `npm install` (it is a devDependency)");
	}
}

async function packageVsix({ extensionDir, vsixPath, log }) {
	const ownIgnoreFile = path.join(extensionDir, ".vscodeignore");
	const ignoreFile = existsSync(ownIgnoreFile) ? ownIgnoreFile : fallbackIgnoreFile;
	log(`  packaging with ${path.relative(repoRoot, ignoreFile) || ignoreFile}`);
	const args = [
		vsceScript(),
		"package",
		"--no-dependencies",
		// Both would otherwise ask a question on stdin and wait.
		"--allow-missing-repository",
		"--skip-license",
		// The README's relative links (screenshots, docs) stay relative: there is no public repository
		// URL to rewrite them to, and vsce refuses to package them otherwise.
		"--no-rewrite-relative-links",
		"--ignoreFile",
		ignoreFile,
		"--out",
		vsixPath
	];
	const child = spawnTracked(process.execPath, args, { cwd: extensionDir, stdio: ["ignore", "pipe", "pipe"] });
	let output = "";
	child.stdout.on("data", (chunk) => {
		output += chunk;
	});
	child.stderr.on("data", (chunk) => {
		output += chunk;
	});
	const timer = setTimeout(() => child.kill("SIGKILL"), PACKAGE_TIMEOUT_MS);
	const code = await new Promise((resolve) => child.once("exit", resolve));
	clearTimeout(timer);
	if (code !== 0) throw new Error(`vsce package failed (${code}):\n${output}`);
	const size = statSync(vsixPath).size;
	if (size > MAX_VSIX_BYTES) {
		throw new Error(`the .vsix weighs ${(size / 1048576).toFixed(0)} MB: check ${path.basename(ignoreFile)}`);
	}
	log(`  packaged ${path.basename(vsixPath)} (${(size / 1024).toFixed(0)} KB)`);
}

/**
 * @returns {Promise<{ extensionsDir: string | undefined, developmentPayload(port: number): string | undefined }>}
 */
export async function prepareUiExtension({ scratchDir, extensionDir, manifest, log }) {
	if (process.env.STEER_INTEGRATION_UI_EXTENSION === "development") {
		log("  using the development folder (STEER_INTEGRATION_UI_EXTENSION=development)");
		return {
			extensionsDir: undefined,
			developmentPayload: (port) =>
				JSON.stringify([["extensionDevelopmentPath", `vscode-remote://127.0.0.1:${port}${extensionDir}`]])
		};
	}

	const vsixPath = path.join(scratchDir, `${manifest.name}-${manifest.version}.vsix`);
	await packageVsix({ extensionDir, vsixPath, log });

	const extensionsDir = path.join(scratchDir, "ui-extensions");
	const userDataDir = path.join(scratchDir, "install-user-data");
	mkdirSync(extensionsDir, { recursive: true });
	await runCodeServerCommand({ scratchDir, extensionsDir, userDataDir, args: ["--install-extension", vsixPath] });

	const installedDir = path.join(
		extensionsDir,
		`${manifest.publisher}.${manifest.name}-${manifest.version}`.toLowerCase()
	);
	if (!existsSync(path.join(installedDir, "package.json"))) {
		throw new Error(
			`code-server reported success but ${path.basename(installedDir)} is not in the extensions folder`
		);
	}
	const dependencies = Object.keys(manifest.dependencies ?? {});
	if (dependencies.length > 0) {
		symlinkSync(path.join(extensionDir, "node_modules"), path.join(installedDir, "node_modules"), "dir");
	}
	log(`  installed ${path.basename(installedDir)}`);
	return { extensionsDir, developmentPayload: () => undefined };
}
