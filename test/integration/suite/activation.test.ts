import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import * as vscode from "vscode";

const EXTENSION_ID = "steer.steer";

interface ContributedCommand {
	command: string;
	title: string;
}

function steerExtension(): vscode.Extension<unknown> {
	const extension = vscode.extensions.getExtension(EXTENSION_ID);
	assert.ok(extension, `extension ${EXTENSION_ID} is not installed in the extension host`);
	return extension;
}

/** Reads the manifest from disk, independently of what VS Code made of it. */
async function contributedCommands(extensionPath: string): Promise<ContributedCommand[]> {
	const manifest = JSON.parse(await readFile(path.join(extensionPath, "package.json"), "utf8"));
	return manifest.contributes?.commands ?? [];
}

describe("Extension activation", () => {
	it("is present and activates", async () => {
		const extension = steerExtension();
		await extension.activate();
		assert.equal(extension.isActive, true);
	});

	it("registers every command its package.json contributes", async () => {
		const extension = steerExtension();
		await extension.activate();
		const contributed = await contributedCommands(extension.extensionPath);
		const registered = new Set(await vscode.commands.getCommands(true));
		const missing = contributed.map((entry) => entry.command).filter((id) => !registered.has(id));
		assert.deepEqual(missing, [], `contributed but not registered: ${missing.join(", ")}`);
	});
});
