// Entry point the extension host loads as `extensionTestsPath`: it requires this module and
// awaits `run()`; a rejection becomes a non-zero exit code for the runner outside.
// Mocha is bundled into this file, so it does not depend on how the host resolves packages.
import Mocha from "mocha";
import { readdirSync } from "node:fs";
import path from "node:path";
import { RESULT_LINE_PREFIX } from "./resultLine";
import { shuffledBySeed, testOrderSeed } from "../../../scripts/integration/test-order.mjs";

function inTestOrder(files: string[]): string[] {
	const seed = testOrderSeed();
	if (seed === undefined) return files;
	const shuffled = shuffledBySeed(files, seed);
	console.log(`test files in the order of seed ${seed}: ${shuffled.join(", ")}`);
	return shuffled;
}

export function run(): Promise<void> {
	const mocha = new Mocha({ ui: "bdd", color: false, reporter: "spec", timeout: 60_000 });
	// STEER_TEST_GREP (a pattern) runs only the tests whose titles match: for working on a few.
	if (process.env.STEER_TEST_GREP) mocha.grep(new RegExp(process.env.STEER_TEST_GREP));
	// Test files are compiled next to this index; load them in a stable order, or in the order a seed
	// shuffles them to (STEER_TEST_ORDER_SEED), which shows whether a file depends on another's leftovers.
	const testFiles = inTestOrder(
		readdirSync(__dirname)
			.filter((name) => name.endsWith(".test.cjs"))
			.sort()
	);
	for (const file of testFiles) mocha.addFile(path.join(__dirname, file));

	return new Promise((resolve, reject) => {
		const runner = mocha.run((failures) => {
			const passed = runner.stats?.passes ?? 0;
			// The runner outside reads this line to add these results to its closing summary.
			console.log(`${RESULT_LINE_PREFIX}${JSON.stringify({ passed, failed: failures })}`);
			if (failures > 0) reject(new Error(`${failures} extension-host test(s) failed`));
			else resolve();
		});
	});
}
