// Upgrade canary: would Steer work on a newer node-llama-cpp? The addon reads node-llama-cpp's
// internals (its llama.cpp context inside the addon objects), so the pin in package.json can only
// move after this check. Not part of CI's pass/fail: it needs the network and minutes.
//
//   node scripts/upgrade-canary.mjs [VERSION]     (default: the newest node-llama-cpp on npm)
//
// It exports the committed tree (HEAD) into a folder outside the checkout, moves node-llama-cpp and
// the addon's expected version to VERSION there, installs, builds the addon, type-checks and runs the
// unit and engine tests, then prints one line per stage and the failing tests. The checkout is not
// touched. Exit code 0 when every stage passed, 1 when something broke, 2 when it could not run.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const npx = process.platform === "win32" ? "npx.cmd" : "npx";

function fail(message) {
	console.error(`upgrade-canary: ${message}`);
	process.exit(2);
}

function capture(command, args, options = {}) {
	try {
		return execFileSync(command, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], ...options }).trim();
	} catch (error) {
		fail(`${command} ${args.join(" ")} failed: ${(error.stderr || error.message).trim()}`);
	}
}

const pinned = JSON.parse(
	readFileSync(path.join(root, "src", "engine", "native", "nativeAbi.json"), "utf8")
).nodeLlamaCppVersion;
const target = process.argv[2] ?? capture(npm, ["view", "node-llama-cpp", "version"]);
if (!/^\d+\.\d+\.\d+(-[\w.]+)?$/.test(target)) fail(`"${target}" is not a node-llama-cpp version`);
console.log(`upgrade-canary: node-llama-cpp ${pinned} (pinned) → ${target}`);

const workDir = path.join(process.env.STEER_CANARY_DIR ?? path.join(os.tmpdir(), "steer-upgrade-canary"), target);
rmSync(workDir, { recursive: true, force: true });
mkdirSync(workDir, { recursive: true });
// The committed tree only: what a clone would hold, without this checkout's node_modules or builds.
execFileSync("sh", ["-c", `git -C "${root}" archive --format=tar HEAD | tar -x -C "${workDir}"`]);

const nativeAbiFile = path.join(workDir, "src", "engine", "native", "nativeAbi.json");
const nativeAbi = JSON.parse(readFileSync(nativeAbiFile, "utf8"));
writeFileSync(nativeAbiFile, `${JSON.stringify({ ...nativeAbi, nodeLlamaCppVersion: target }, null, "\t")}\n`);

const env = {
	...process.env,
	STEER_TEST_MODELS: process.env.STEER_TEST_MODELS ?? path.join(root, "..", "shared", "models")
};
const results = [];

/** Runs one stage in the exported tree; returns whether it passed. Output goes to a log file. */
function stage(name, command, args) {
	const logFile = path.join(workDir, `canary-${name.replace(/\W+/g, "-")}.log`);
	const started = performance.now();
	process.stdout.write(`== ${name}… `);
	const result = spawnSync(command, args, { cwd: workDir, env, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
	writeFileSync(logFile, `${result.stdout ?? ""}\n${result.stderr ?? ""}`);
	const seconds = ((performance.now() - started) / 1000).toFixed(0);
	const passed = result.status === 0;
	console.log(`${passed ? "passed" : "FAILED"} in ${seconds} s`);
	results.push({ name, passed, logFile });
	return passed;
}

/** Mocha with a JSON report, so the failing tests can be listed by name. */
function mochaStage(name, glob) {
	const reportFile = path.join(workDir, `canary-${name}.json`);
	const passed = stage(name, npx, ["mocha", glob, "--reporter", "json", "--reporter-option", `output=${reportFile}`]);
	if (!passed && existsSync(reportFile)) {
		const report = JSON.parse(readFileSync(reportFile, "utf8"));
		results.at(-1).failures = report.failures.map((test) => `${test.fullTitle}: ${test.err?.message ?? ""}`);
	}
	return passed;
}

const installed =
	stage("install", npm, ["install", "--no-audit", "--no-fund", `node-llama-cpp@${target}`, "--save-exact"]) &&
	stage("build bundles and addon", npm, ["run", "--silent", "build"]);
if (installed) {
	stage("type check", npx, ["tsc", "-p", "."]);
	mochaStage("unit", "test/unit/**/*.test.ts");
	mochaStage("engine", "test/engine/**/*.test.ts");
}

console.log(`\nnode-llama-cpp ${target}, exported tree in ${workDir}`);
for (const result of results) {
	console.log(
		`  ${result.passed ? "ok    " : "BROKE "} ${result.name}${result.passed ? "" : `  (log: ${result.logFile})`}`
	);
	for (const failure of (result.failures ?? []).slice(0, 20)) console.log(`           - ${failure.split("\n")[0]}`);
	if ((result.failures?.length ?? 0) > 20) console.log(`           … ${result.failures.length - 20} more`);
}
const broken = results.filter((result) => !result.passed);
console.log(
	broken.length === 0 && installed
		? `Steer builds and passes its unit and engine tests on node-llama-cpp ${target}: the pin can move.`
		: `Steer is not ready for node-llama-cpp ${target}: ${broken.map((result) => result.name).join(", ")} broke.`
);
process.exit(broken.length === 0 && installed ? 0 : 1);
