import { format } from "node:util";
// Suite 1: mocha inside the extension host, with the real `vscode` API. The workbench is opened
// with a `payload` naming the extension under development and the compiled test index; the
// workbench reports the test log through `codeAutomationLog` and the host's exit code through
// `codeAutomationExit`, both exposed on the page before it loads.
import { isWorkbenchNoise } from "./workbench-noise.mjs";
import { withIdleTimeout } from "./with-timeout.mjs";

const RESULT_LINE_PREFIX = "steer-integration-result ";
// Longer than the longest mocha timeout of one test (120 s), so that mocha reports a hung test by name
// before this reports the suite as silent.
const SILENCE_LIMIT_MS = 4 * 60_000;

/** Formats console arguments as the console would (`%s`, `%d`, and `%c` styling dropped). */
function formatLogArguments(args) {
	return format(...(Array.isArray(args) ? args : [args]));
}

function remoteUri(port, absolutePath) {
	return `vscode-remote://127.0.0.1:${port}${absolutePath}`;
}

/**
 * @returns {Promise<{ passed: number, failed: number, exitCode: number }>}
 */
export async function runExtensionHostSuite({ page, server, extensionDir, testsIndex, workspaceDir, log }) {
	let resultCounts;
	let reportExit;
	let reportBrowserFailure;
	const exited = new Promise((resolve, reject) => {
		reportExit = resolve;
		reportBrowserFailure = reject;
	});
	// Without these the run would only end at the suite's time limit.
	page.once("crash", () => reportBrowserFailure(new Error("the workbench page crashed")));
	page.once("close", () => reportBrowserFailure(new Error("the workbench page closed before the tests finished")));

	const result = withIdleTimeout(exited, SILENCE_LIMIT_MS, "the extension host did not report an exit code");
	await page.exposeFunction("codeAutomationLog", (type, args) => {
		result.touch();
		const message = formatLogArguments(args);
		if (message.startsWith(RESULT_LINE_PREFIX)) {
			resultCounts = JSON.parse(message.slice(RESULT_LINE_PREFIX.length));
			return;
		}
		if (isWorkbenchNoise(message)) return;
		const marker = type === "error" ? "! " : "";
		for (const line of message.split("\n")) log(`  ${marker}${line}`);
	});
	await page.exposeFunction("codeAutomationExit", (code) => reportExit(Number(code)));

	const payload = [
		["extensionDevelopmentPath", remoteUri(server.port, extensionDir)],
		["extensionTestsPath", remoteUri(server.port, testsIndex)]
	];
	const url = `${server.url}/?folder=${encodeURIComponent(workspaceDir)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
	await page.goto(url, { waitUntil: "domcontentloaded", timeout: 60_000 });

	const exitCode = await result.settled;
	// A host that crashed before mocha finished reports no counts; count that as one failure.
	const counts = resultCounts ?? { passed: 0, failed: exitCode === 0 ? 0 : 1 };
	if (exitCode !== 0 && counts.failed === 0) counts.failed = 1;
	return { ...counts, exitCode };
}
