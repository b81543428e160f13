// Makes a fresh clone ready: installs npm dependencies when they are missing or older than the lock
// file, then builds the bundles and the native addon. Uses only Node's built-ins, because it runs
// before anything is installed. Shared by `npm test` and `npm start`.
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

export function step(title, command, args, options = {}) {
	const started = performance.now();
	console.log(`\n== ${title}`);
	const result = spawnSync(command, args, { cwd: root, stdio: "inherit", ...options });
	const seconds = ((performance.now() - started) / 1000).toFixed(1);
	if (result.error) throw new Error(`${title}: ${result.error.message}`);
	if (result.status !== 0) {
		const error = new Error(`${title} failed (exit ${result.status ?? result.signal}) after ${seconds} s`);
		error.exitCode = result.status ?? 1;
		throw error;
	}
	console.log(`== ${title}: done in ${seconds} s`);
}

function dependenciesAreCurrent() {
	const marker = path.join(root, "node_modules", ".package-lock.json");
	if (!existsSync(marker)) return false;
	return statSync(marker).mtimeMs >= statSync(path.join(root, "package-lock.json")).mtimeMs;
}

export function ensureSetup() {
	if (!dependenciesAreCurrent()) step("install npm dependencies (npm ci)", npm, ["ci", "--no-audit", "--no-fund"]);
	step("build bundles and native addon", npm, ["run", "--silent", "build"]);
}
