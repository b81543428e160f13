// What the extension-host test files share: finding the extension, the test model and the
// workspace, loading the model once, and waiting on conditions. Not a test file itself (the
// index loads only *.test.cjs); each test file bundles its own copy.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import * as vscode from "vscode";
import { saveControlVectorFile } from "../../../src/steering/gguf/controlVectorFile";
import type { SteerApi } from "../../../src/vscode/extension";
import type { DatasetEditorUpdate } from "../../../src/shared/datasetEditorProtocol";
import type { HostToWebview } from "../../../src/shared/webviewProtocol/messages";

export const MODEL = "TinyStories-656K.f16.gguf";

export function modelPath(): string {
	return path.join(process.env.STEER_TEST_MODELS ?? "", MODEL);
}

export function modelAvailable(): boolean {
	return existsSync(modelPath());
}

export function workspaceDir(): string {
	return (vscode.workspace.workspaceFolders ?? [])[0].uri.fsPath;
}

export function steerFolder(...parts: string[]): string {
	return path.join(workspaceDir(), ".steer", ...parts);
}

export async function steerApi(): Promise<SteerApi> {
	const extension = vscode.extensions.getExtension<SteerApi>("steer.steer");
	assert.ok(extension, "the Steer extension is not installed");
	return extension.activate();
}

/** Settings that make generation deterministic and fast on a small machine. */
export async function useTestSettings(): Promise<void> {
	const config = vscode.workspace.getConfiguration("steer");
	await config.update("temperature", 0, vscode.ConfigurationTarget.Global);
	await config.update("maxTokens", 16, vscode.ConfigurationTarget.Global);
	await config.update("threads", 1, vscode.ConfigurationTarget.Global);
}

/** Loads the test model unless it is already the loaded one. */
export async function ensureModelLoaded(api: SteerApi): Promise<void> {
	if (api.engine.modelInfo?.modelPath === modelPath()) return;
	const info = await vscode.commands.executeCommand("steer.loadModel", modelPath());
	assert.ok(info, `loading ${MODEL} failed: ${lastErrors(api)}`);
}

/**
 * The common start of a suite that needs the model: skips the suite (saying why) when the test model
 * is absent, else activates Steer with the test settings and the model loaded.
 */
export async function steerWithModelOrSkip(context: Mocha.Context): Promise<SteerApi> {
	if (!modelAvailable()) {
		console.log(`      skipped: ${MODEL} not found in STEER_TEST_MODELS`);
		context.skip();
	}
	const api = await steerApi();
	await useTestSettings();
	await ensureModelLoaded(api);
	return api;
}

/** The recent error lines of the Steer log, for assertion messages. */
export function lastErrors(api: SteerApi): string {
	return (
		api.log
			.recentLines()
			.filter((line) => line.startsWith("error:"))
			.slice(-3)
			.join(" | ") || "(no errors logged)"
	);
}

/** A fresh editor holding `text` with the cursor at its end. */
export async function editorWith(text: string): Promise<vscode.TextEditor> {
	const document = await vscode.workspace.openTextDocument({ language: "plaintext", content: text });
	const editor = await vscode.window.showTextDocument(document);
	const end = document.positionAt(text.length);
	editor.selection = new vscode.Selection(end, end);
	return editor;
}

export async function waitFor<T>(
	what: string,
	probe: () => T | undefined | Promise<T | undefined>,
	timeoutMs = 20_000
): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await probe();
		if (value !== undefined) return value;
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
}

/** Shows the steering panel and waits until its webview exists and has asked for its state. */
export async function openPanel(api: SteerApi): Promise<void> {
	await vscode.commands.executeCommand("steer.openPanel");
	await waitFor("the steering panel's webview", () => (api.panel.isResolved ? true : undefined), 30_000);
}

/** Records every message the host posts to the panel from now on, until `dispose`. */
export function recordPosts(api: SteerApi): { sent: HostToWebview[]; dispose(): void } {
	const sent: HostToWebview[] = [];
	const subscription = api.panel.onDidPost(({ message }) => sent.push(message));
	return { sent, dispose: () => subscription.dispose() };
}

/** Opens a dataset of Steer's folder in the dataset editor, as a click in the Datasets tree does. */
export async function openInDatasetEditor(api: SteerApi, fileName: string): Promise<vscode.TextDocument> {
	await vscode.commands.executeCommand("steer.openDataset", fileName);
	const target = steerFolder("datasets", fileName);
	return waitFor(
		`the dataset editor on ${fileName}`,
		() => api.editors.datasets.openDocuments.find((document) => document.uri.fsPath === target),
		30_000
	);
}

/** Records what the host posts to dataset editors' pages from now on, until `dispose`. */
export function recordEditorPosts(api: SteerApi): { sent: DatasetEditorUpdate[]; dispose(): void } {
	const sent: DatasetEditorUpdate[] = [];
	const subscription = api.editors.datasets.onDidPost(({ update }) => sent.push(update));
	return { sent, dispose: () => subscription.dispose() };
}

/** Writes a control vector into the workspace's vectors folder, as a user's own file; returns its path. */
export async function writeVectorFile(
	fileName: string,
	nEmbd: number,
	directions: ReadonlyMap<number, Float32Array>
): Promise<string> {
	await mkdir(steerFolder("vectors"), { recursive: true });
	const file = steerFolder("vectors", fileName);
	await saveControlVectorFile(file, { nEmbd, directions: new Map(directions) }, { modelHint: "llama" });
	return file;
}
