// Suite 3: the extension in a workspace the user has not trusted. A separate code-server instance
// with workspace trust turned on (every other instance turns it off) opens a folder whose
// `.vscode/settings.json` names a real model in `steer.modelPath`, as a cloned repository could;
// mocha in its extension host (test/integration/untrusted/*.test.ts) checks that Steer opens nothing.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { launchBrowser } from "./browser.mjs";
import { startCodeServer } from "./code-server.mjs";
import { runExtensionHostSuite } from "./extension-host-suite.mjs";

/** The model the workspace's settings name; the tests check that it exists and is never loaded. */
const CONFIGURED_MODEL = "TinyStories-656K.f16.gguf";

function writeUntrustedWorkspace(folder, modelsDir) {
	mkdirSync(path.join(folder, ".vscode"), { recursive: true });
	const settings = { "steer.modelPath": path.join(modelsDir, CONFIGURED_MODEL) };
	writeFileSync(path.join(folder, ".vscode", "settings.json"), JSON.stringify(settings, null, "\t"));
	writeFileSync(path.join(folder, "notes.txt"), "A folder from somewhere else.\n");
}

/**
 * @returns {Promise<{ passed: number, failed: number, exitCode: number }>}
 */
export async function runUntrustedSuite({ scratchDir, extensionDir, testsIndex, modelsDir, env, onBrowser, log }) {
	const workspaceDir = path.join(scratchDir, "untrusted-workspace");
	writeUntrustedWorkspace(workspaceDir, modelsDir);
	const server = await startCodeServer({
		scratchDir,
		name: "untrusted",
		env,
		workspaceTrust: true,
		testDriver: true
	});
	const browser = await launchBrowser(scratchDir, "browser-untrusted");
	onBrowser(browser);
	try {
		return await runExtensionHostSuite({ page: browser.page, server, extensionDir, testsIndex, workspaceDir, log });
	} finally {
		await browser.context.close().catch(() => {});
	}
}
