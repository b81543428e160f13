import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import path from "node:path";
import * as vscode from "vscode";

// Later suites rely on this environment; checking it here makes a broken harness fail loudly
// instead of as a puzzling failure in a model-dependent test.
describe("Integration-test environment", () => {
	it("passes the test models folder through to the extension host", () => {
		const modelsDir = process.env.STEER_TEST_MODELS;
		assert.ok(modelsDir, "STEER_TEST_MODELS is not set in the extension host");
		assert.ok(path.isAbsolute(modelsDir), `STEER_TEST_MODELS is not absolute: ${modelsDir}`);
	});

	it("opens a fresh copy of the test workspace", () => {
		const folders = vscode.workspace.workspaceFolders ?? [];
		assert.equal(folders.length, 1, "expected exactly one workspace folder");
		assert.ok(existsSync(path.join(folders[0].uri.fsPath, "story.txt")), "story.txt is missing from the workspace");
	});
});
