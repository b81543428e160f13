/**
 * Generation from the editor: continue at the cursor, regenerate a selection, and compare steered
 * with baseline output. The models Steer targets are completion models, so "rewrite" regenerates the
 * selected span from the text before it, under steering.
 */
import * as vscode from "vscode";
import type { EngineService } from "../engine/engineService";
import { UserFacingError } from "../failures";
import { readSettings } from "../settings";
import type { SteeringController } from "../steering/steeringController";
import { registerSteerCommand, withCancellableProgress } from "./commandRunner";

/** Characters of context before the cursor sent as the prompt; small models have short contexts. */
const PROMPT_CHARACTERS = 4000;
/** One seed for both sides of a comparison, so the only difference is the steering. */
export const COMPARISON_SEED = 1234;
const COMPARE_SCHEME = "steer-compare";

export interface GenerationCommandDependencies {
	readonly engine: EngineService;
	readonly steering: SteeringController;
	readonly log: vscode.LogOutputChannel;
}

export function registerGenerationCommands(deps: GenerationCommandDependencies): vscode.Disposable[] {
	const { engine, steering, log } = deps;
	const comparisons = new Map<string, string>();
	const comparisonChanged = new vscode.EventEmitter<vscode.Uri>();
	const contentProvider = vscode.workspace.registerTextDocumentContentProvider(COMPARE_SCHEME, {
		onDidChange: comparisonChanged.event,
		provideTextDocumentContent: (uri) => comparisons.get(uri.path) ?? ""
	});

	const generate = (prompt: string, title: string, steered: boolean) => {
		const settings = readSettings();
		engine.requireModel();
		return withCancellableProgress(title, (signal, report) => {
			let streamed = "";
			return engine.generate(
				{
					prompt,
					maxTokens: settings.maxTokens,
					temperature: settings.temperature,
					seed: COMPARISON_SEED,
					steering: steered ? steering.entries() : []
				},
				{
					signal,
					onText: (text) => {
						streamed += text;
						report(streamed.slice(-60).replace(/\s+/g, " "));
					}
				}
			);
		});
	};

	return [
		contentProvider,
		comparisonChanged,
		registerSteerCommand(log, "steer.generateAtCursor", "Generate Steered Completion", async () => {
			const editor = requireEditor();
			const position = editor.selection.active;
			const prompt = textBefore(editor.document, position);
			const result = await generate(prompt, "Steer: generating", true);
			await editor.edit((edit) => edit.insert(position, result.text));
			log.info(
				`generated ${result.tokens.length} tokens at ${result.tokensPerSecond.toFixed(0)} t/s (steering ${steering.stateKey()})`
			);
			return result.text;
		}),
		registerSteerCommand(log, "steer.rewriteSelection", "Rewrite Selection", async () => {
			const editor = requireEditor();
			const selection = editor.selection;
			if (selection.isEmpty) throw new UserFacingError("select the text to rewrite first");
			const original = editor.document.getText(selection);
			const result = await generate(
				textBefore(editor.document, selection.start),
				"Steer: rewriting the selection",
				true
			);
			const replaced = await editor.edit((edit) => edit.replace(selection, result.text));
			if (!replaced) throw new UserFacingError("the document changed while rewriting; nothing was replaced");
			log.info(
				`rewrote ${original.length} characters as ${result.text.length} (steering ${steering.stateKey()})`
			);
			return result.text;
		}),
		registerSteerCommand(log, "steer.compareSteeredBaseline", "Compare Steered vs Baseline", async () => {
			const editor = vscode.window.activeTextEditor;
			const prompt =
				editor && !editor.selection.isEmpty
					? editor.document.getText(editor.selection)
					: editor
						? textBefore(editor.document, editor.selection.active)
						: "";
			if (prompt.trim() === "")
				throw new UserFacingError("put the cursor after a prompt, or select one, in an editor");
			if (steering.activeEntries().length === 0)
				throw new UserFacingError("no active vector to compare with; tick one in the Vectors view");
			const settings = readSettings();
			const params = {
				prompt,
				maxTokens: settings.maxTokens,
				temperature: settings.temperature,
				seed: COMPARISON_SEED
			};
			const [baseline, steered] = await withCancellableProgress(
				"Steer: comparing steered and baseline",
				async (signal, report) => {
					report("baseline…");
					const base = await engine.generate({ ...params, steering: [] }, { signal });
					report("steered…");
					const steer = await engine.generate({ ...params, steering: steering.activeEntries() }, { signal });
					return [base, steer];
				}
			);
			const id = `${Date.now()}`;
			comparisons.set(`/${id}/baseline.txt`, prompt + baseline.text);
			comparisons.set(`/${id}/steered.txt`, prompt + steered.text);
			await vscode.commands.executeCommand(
				"vscode.diff",
				vscode.Uri.from({ scheme: COMPARE_SCHEME, path: `/${id}/baseline.txt` }),
				vscode.Uri.from({ scheme: COMPARE_SCHEME, path: `/${id}/steered.txt` }),
				`Baseline ↔ Steered (${steering.stateKey()}, seed ${COMPARISON_SEED})`
			);
			return { baseline: baseline.text, steered: steered.text };
		})
	];
}

function requireEditor(): vscode.TextEditor {
	const editor = vscode.window.activeTextEditor;
	if (!editor) throw new UserFacingError("open a text editor first");
	return editor;
}

export function textBefore(document: vscode.TextDocument, position: vscode.Position): string {
	const end = document.offsetAt(position);
	const start = Math.max(0, end - PROMPT_CHARACTERS);
	return document.getText(new vscode.Range(document.positionAt(start), position));
}
