// Runs the extension's integration tests in a real VS Code (code-server's web workbench in
// headless chromium):
//   Suite 1 — mocha inside the extension host (test/integration/suite/*.test.ts);
//   Suite 2 — Playwright driving the workbench UI (test/integration/ui/*.ui.ts);
//   Suite 3 — mocha inside the extension host of an untrusted workspace (test/integration/untrusted).
// Needs the tools from install-tools.mjs and a built extension (`npm run build`).
// Prints "N passed, N failed" for all suites together and exits non-zero on any failure.
//
// Environment: STEER_TEST_MODELS (models folder handed to the extension host, default
// ../shared/models next to the checkout), STEER_TOOLS_DIR (see tool-paths.mjs), STEER_TEST_GREP (a
// pattern: only the extension-host and UI tests whose titles match run).
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { launchBrowser } from "./browser.mjs";
import { killAllNow, stopAll } from "./child-processes.mjs";
import { startCodeServer } from "./code-server.mjs";
import { compileTests } from "./compile-tests.mjs";
import { runExtensionHostSuite } from "./extension-host-suite.mjs";
import { prepareUiExtension } from "./ui-extension.mjs";
import { runUiSuite } from "./ui-suite.mjs";
import { runUntrustedSuite } from "./untrusted-suite.mjs";
import { waitForWorkbench } from "./workbench-ready.mjs";
import { completeMarker, repoRoot } from "./tool-paths.mjs";
import { shuffledBySeed, testOrderSeed } from "./test-order.mjs";
import { withTimeout } from "./with-timeout.mjs";

const RUN_TIMEOUT_MS = 25 * 60_000;
const startedAt = performance.now();
const log = (line) => console.log(line);
const elapsed = (since) => `${((performance.now() - since) / 1000).toFixed(1)} s`;

class SetupError extends Error {}

function readManifest(extensionDir) {
	const manifestPath = path.join(extensionDir, "package.json");
	const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
	const main = path.join(extensionDir, manifest.main ?? "");
	if (!manifest.main || !existsSync(main)) {
		throw new SetupError(
			`${path.relative(repoRoot, main) || "the extension's main"} does not exist: run \`npm run build\` first`
		);
	}
	return manifest;
}

function checkToolsInstalled() {
	if (!existsSync(completeMarker)) {
		throw new SetupError(
			"integration-test tools are not installed: run `node scripts/integration/install-tools.mjs` first"
		);
	}
}

/** Everything a run writes outside the repo goes into one temp folder, removed at the end. */
const scratchDir = mkdtempSync(path.join(os.tmpdir(), "steer-integration-"));
const browsers = [];

async function cleanUp() {
	await Promise.allSettled(
		browsers.map((browser) => withTimeout(browser.context.close(), 10_000, "closing the browser"))
	);
	await stopAll();
	rmSync(scratchDir, { recursive: true, force: true, maxRetries: 3 });
}

// Whatever happens, no code-server or browser outlives the run.
process.on("exit", () => killAllNow());
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
	process.once(signal, () => {
		log(`\nreceived ${signal}, stopping`);
		cleanUp().finally(() => process.exit(130));
	});
}

async function suiteOne(context) {
	const { extensionDir, testsIndex, workspaceDir, env } = context;
	log("\nSuite 1: extension host (mocha)");
	const suiteStarted = performance.now();
	const server = await startCodeServer({ scratchDir, name: "extension-host", env, testDriver: true });
	const browser = await launchBrowser(scratchDir, "browser-extension-host");
	browsers.push(browser);
	try {
		const result = await runExtensionHostSuite({
			page: browser.page,
			server,
			extensionDir,
			testsIndex,
			workspaceDir,
			log
		});
		log(
			`Suite 1: ${result.passed} passed, ${result.failed} failed, exit code ${result.exitCode} (${elapsed(suiteStarted)})`
		);
		return result;
	} catch (error) {
		await browser.page
			.screenshot({ path: path.join(repoRoot, "test-results", "integration", "extension-host.png") })
			.catch(() => {});
		throw error;
	} finally {
		await browser.context.close().catch(() => {});
	}
}

async function suiteTwo(context) {
	const { extensionDir, manifest, uiTestModules, workspaceDir, env } = context;
	log("\nSuite 2: workbench UI (Playwright)");
	const suiteStarted = performance.now();
	const extension = await prepareUiExtension({ scratchDir, extensionDir, manifest, log });
	// Installed from its .vsix as a user installs it and without the test driver: the workbench is the
	// one `npm start` opens, notifications included.
	const payload = extension.developmentPayload;
	const server = await startCodeServer({
		scratchDir,
		name: "ui",
		extensionsDir: extension.extensionsDir,
		env,
		testDriver: payload(0) !== undefined
	});
	const browser = await launchBrowser(scratchDir, "browser-ui");
	browsers.push(browser);
	try {
		const development = payload(server.port);
		const query = `folder=${encodeURIComponent(workspaceDir)}${development ? `&payload=${encodeURIComponent(development)}` : ""}`;
		await browser.page.goto(`${server.url}/?${query}`, { waitUntil: "domcontentloaded", timeout: 60_000 });
		await waitForWorkbench(browser.page);
		const result = await runUiSuite({
			page: browser.page,
			manifest,
			uiTestModules,
			workspaceDir,
			userSettingsFile: path.join(server.userDataDir, "User", "settings.json"),
			log
		});
		log(`Suite 2: ${result.passed} passed, ${result.failed} failed (${elapsed(suiteStarted)})`);
		return result;
	} finally {
		await browser.context.close().catch(() => {});
	}
}

async function suiteThree(context) {
	const { extensionDir, untrustedTestsIndex, modelsDir, env } = context;
	log("\nSuite 3: extension host in an untrusted workspace (mocha)");
	const suiteStarted = performance.now();
	const onBrowser = (browser) => browsers.push(browser);
	const result = await runUntrustedSuite({
		scratchDir,
		extensionDir,
		testsIndex: untrustedTestsIndex,
		modelsDir,
		env,
		onBrowser,
		log
	});
	log(
		`Suite 3: ${result.passed} passed, ${result.failed} failed, exit code ${result.exitCode} (${elapsed(suiteStarted)})`
	);
	return result;
}

async function main() {
	checkToolsInstalled();
	const extensionDir = path.resolve(process.env.STEER_INTEGRATION_EXTENSION_DIR ?? repoRoot);
	const manifest = readManifest(extensionDir);
	const modelsDir = path.resolve(process.env.STEER_TEST_MODELS ?? path.resolve(repoRoot, "../shared/models"));

	const compileStarted = performance.now();
	const compiled = await compileTests();
	log(`compiled integration tests (${elapsed(compileStarted)})`);
	const { testsIndex, untrustedTestsIndex } = compiled;
	// STEER_TEST_ORDER_SEED shuffles the test files of every suite (the extension host reads it too).
	const seed = testOrderSeed();
	const uiTestModules = seed === undefined ? compiled.uiTestModules : shuffledBySeed(compiled.uiTestModules, seed);
	const orderEnv = seed === undefined ? {} : { STEER_TEST_ORDER_SEED: String(seed) };
	if (seed !== undefined)
		log(`test files shuffled with STEER_TEST_ORDER_SEED=${seed} (set it again to replay this order)`);

	const totals = { passed: 0, failed: 0 };
	for (const suite of [suiteOne, suiteTwo, suiteThree]) {
		// A fresh copy of the workspace for each suite: tests edit files in it, and no suite may depend
		// on what another left behind.
		const workspaceDir = path.join(scratchDir, `workspace-${suite.name}`);
		cpSync(path.join(repoRoot, "test", "integration", "workspace"), workspaceDir, { recursive: true });
		const context = {
			extensionDir,
			manifest,
			testsIndex,
			untrustedTestsIndex,
			uiTestModules,
			workspaceDir,
			modelsDir,
			env: {
				STEER_TEST_MODELS: modelsDir,
				...orderEnv,
				...(process.env.STEER_TEST_GREP ? { STEER_TEST_GREP: process.env.STEER_TEST_GREP } : {})
			}
		};
		try {
			const result = await suite(context);
			totals.passed += result.passed;
			totals.failed += result.failed;
		} catch (error) {
			if (error instanceof SetupError) throw error;
			totals.failed += 1;
			log(`  ✘ suite did not complete: ${error instanceof Error ? error.message : String(error)}`);
		}
	}
	return totals;
}

let exitCode = 1;
try {
	const totals = await withTimeout(main(), RUN_TIMEOUT_MS, "the integration run");
	log(`\nIntegration tests finished in ${elapsed(startedAt)}`);
	log(`${totals.passed} passed, ${totals.failed} failed`);
	exitCode = totals.failed === 0 && totals.passed > 0 ? 0 : 1;
} catch (error) {
	console.error(`\nintegration run failed: ${error instanceof Error ? error.message : String(error)}`);
	log("0 passed, 1 failed");
} finally {
	await cleanUp();
}
process.exit(exitCode);
