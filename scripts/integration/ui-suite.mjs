// Suite 2: Playwright drives the workbench from outside, as a user would. Each compiled
// test/integration/ui/*.ui.ts module exports `tests`; each test gets its own time limit, and a
// failing one leaves a screenshot in test-results/ for diagnosis.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { repoRoot } from "./tool-paths.mjs";
import { withTimeout } from "./with-timeout.mjs";

const TEST_TIMEOUT_MS = 90_000;
// Test runs keep their screenshots in test-results/; STEER_UPDATE_SCREENSHOTS=1 writes the ones the
// README shows (docs/screenshots/) instead, so an ordinary test run leaves the checkout unchanged.
const screenshotsDir =
	process.env.STEER_UPDATE_SCREENSHOTS === "1"
		? path.join(repoRoot, "docs", "screenshots")
		: path.join(repoRoot, "test-results", "screenshots");
const failuresDir = path.join(repoRoot, "test-results", "integration");

function safeFileName(title) {
	return title
		.replace(/[^a-z0-9]+/gi, "-")
		.replace(/^-|-$/g, "")
		.toLowerCase();
}

/** @returns {Promise<{ passed: number, failed: number }>} */
export async function runUiSuite({ page, manifest, uiTestModules, workspaceDir, userSettingsFile, log }) {
	mkdirSync(screenshotsDir, { recursive: true });
	const context = {
		page,
		manifest,
		workspaceDir,
		userSettingsFile,
		documentationScreenshotPath: (name) => path.join(screenshotsDir, `${name}.png`)
	};
	let passed = 0;
	let failed = 0;
	for (const modulePath of uiTestModules) {
		const { tests } = await import(pathToFileURL(modulePath).href);
		log(`  ${path.basename(modulePath, ".mjs")}`);
		for (const test of tests) {
			// STEER_TEST_GREP (a pattern) runs only the tests whose titles match: for working on a few.
			if (process.env.STEER_TEST_GREP && !new RegExp(process.env.STEER_TEST_GREP).test(test.title)) continue;
			const started = performance.now();
			try {
				await withTimeout(test.run(context), TEST_TIMEOUT_MS, `"${test.title}"`);
				passed += 1;
				log(`    ✔ ${test.title} (${Math.round(performance.now() - started)} ms)`);
			} catch (error) {
				failed += 1;
				log(`    ✘ ${test.title}`);
				log(
					`      ${(error instanceof Error ? (error.stack ?? error.message) : String(error)).replaceAll("\n", "\n      ")}`
				);
				mkdirSync(failuresDir, { recursive: true });
				const screenshot = path.join(failuresDir, `${safeFileName(test.title)}.png`);
				await page.screenshot({ path: screenshot, timeout: 10_000 }).then(
					() => log(`      screenshot: ${path.relative(repoRoot, screenshot)}`),
					() => {}
				);
			}
		}
	}
	return { passed, failed };
}
