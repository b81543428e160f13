// `npm test`: everything CI runs, in the order a failure is cheapest to find.
//   1. set up a fresh clone (npm ci, build)      4. unit tests (pure TypeScript)
//   2. lint: eslint, Prettier, layer rules       5. engine tests (real models, engine process)
//   3. type check                                6. integration tests in a real VS Code
// STEER_SKIP_INTEGRATION=1 stops after step 4 (for quick local runs); CI never sets it.
import { ensureSetup, step } from "./ensure-setup.mjs";

const npx = process.platform === "win32" ? "npx.cmd" : "npx";
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const node = process.execPath;

try {
	ensureSetup();
	step("lint (eslint, Prettier, layer rules)", npm, ["run", "--silent", "lint"]);
	step("type check", npx, ["tsc", "-p", "."]);
	step("unit tests", npx, ["mocha", "test/unit/**/*.test.ts"]);
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
