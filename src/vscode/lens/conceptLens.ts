/**
 * The concept lens: every token of the active document tinted by how far its hidden state at one
 * layer points along a vector (engine `tokenProjections`), with the score on hover. Recomputed,
 * debounced, as the document changes; an edit cancels the computation in flight.
 */
import * as vscode from "vscode";
import type { EngineService } from "../engine/engineService";
import { isUserCancellation, reportFailure, UserFacingError } from "../failures";
import type { LibraryVector } from "../steering/vectorLibrary";
import { LENS_SHADES, lensScale, lensSentence, lensShade } from "./lensScale";
import { createLensLegend, LENS_COLOURS, lensOpacity, type LensLegend } from "./lensLegend";
import { locateTokens } from "./tokenRanges";

/** Tokens are capped so the lens stays interactive on long files; the rest is left untinted. */
const MAX_CHARACTERS = 6000;

export interface LensTarget {
	readonly vector: LibraryVector;
	readonly layer: number;
}

/** What the lens last drew, for the status of the command and for tests. */
export interface LensSnapshot {
	readonly uri: string;
	/**
	 * The document version the scores were computed for. Token counts cannot tell two drawings apart:
	 * a tokenizer with multi-word pieces can spell a longer text in as many tokens as a shorter one.
	 */
	readonly version: number;
	/** Offset where the last tinted token ends: how far into the document the drawing reaches. */
	readonly decoratedThrough: number;
	readonly vector: string;
	readonly layer: number;
	readonly tokens: number;
	readonly decorated: number;
	readonly scores: readonly number[];
}

export class ConceptLens implements vscode.Disposable {
	private target: LensTarget | undefined;
	private readonly positive: vscode.TextEditorDecorationType[];
	private readonly negative: vscode.TextEditorDecorationType[];
	private timer: ReturnType<typeof setTimeout> | undefined;
	private inFlight: AbortController | undefined;
	private snapshot: LensSnapshot | undefined;
	private readonly subscriptions: vscode.Disposable[] = [];
	private readonly updated = new vscode.EventEmitter<LensSnapshot>();
	readonly onDidUpdate = this.updated.event;
	/** The status-bar legend shown while the lens is: which colour is which side, and the scale. */
	readonly legend: LensLegend = createLensLegend();

	constructor(
		private readonly engine: EngineService,
		private readonly debounceMs: () => number,
		private readonly log: vscode.LogOutputChannel
	) {
		const shade = (rgb: string, level: number) =>
			vscode.window.createTextEditorDecorationType({
				backgroundColor: `rgba(${rgb}, ${lensOpacity(level)})`,
				borderRadius: "2px"
			});
		this.positive = Array.from({ length: LENS_SHADES }, (_, level) => shade(LENS_COLOURS.positive, level));
		this.negative = Array.from({ length: LENS_SHADES }, (_, level) => shade(LENS_COLOURS.negative, level));
		this.subscriptions.push(
			vscode.workspace.onDidChangeTextDocument((event) => {
				if (this.target && event.document === vscode.window.activeTextEditor?.document) this.schedule();
			}),
			vscode.window.onDidChangeActiveTextEditor(() => {
				if (this.target) this.schedule();
			})
		);
	}

	get visible(): boolean {
		return this.target !== undefined;
	}

	get lastSnapshot(): LensSnapshot | undefined {
		return this.snapshot;
	}

	/** Shows the lens for `target` on the active editor; resolves once it has been drawn. */
	async show(target: LensTarget): Promise<LensSnapshot> {
		if (!target.vector.vector.directions.has(target.layer)) {
			const layers = [...target.vector.vector.directions.keys()].sort((a, b) => a - b);
			throw new UserFacingError(
				`${target.vector.fileName} has no direction for layer ${target.layer}; it covers layers ${layers[0]}–${layers.at(-1)}`
			);
		}
		this.target = target;
		this.legend.show(conceptName(target.vector), target.layer);
		await vscode.commands.executeCommand("setContext", "steer.conceptLensVisible", true);
		try {
			return await this.draw();
		} catch (error) {
			// A lens that could not draw (no model, a vector the model cannot read) must not stay on:
			// every later edit would retry and report the same failure again. A drawing made stale by
			// an edit is different: the redraw it scheduled will show the lens.
			if (!isUserCancellation(error)) await this.hide();
			throw error;
		}
	}

	async hide(): Promise<void> {
		this.target = undefined;
		this.legend.hide();
		this.cancelPending();
		for (const editor of vscode.window.visibleTextEditors) this.clear(editor);
		await vscode.commands.executeCommand("setContext", "steer.conceptLensVisible", false);
	}

	private schedule(): void {
		this.cancelPending();
		this.timer = setTimeout(() => {
			// Focus moved to something that is not a text editor (a panel, a webview): there is nothing to
			// draw on, and the user did not ask for anything, so this is not worth an error notification.
			if (!vscode.window.activeTextEditor) return;
			this.draw().catch((error) => {
				if (isUserCancellation(error)) this.log.debug("concept lens: a stale redraw was dropped");
				else reportFailure(this.log, "Concept lens", error);
			});
		}, this.debounceMs());
	}

	private cancelPending(): void {
		if (this.timer) clearTimeout(this.timer);
		this.timer = undefined;
		this.inFlight?.abort();
		this.inFlight = undefined;
	}

	private async draw(): Promise<LensSnapshot> {
		const target = this.target;
		const editor = vscode.window.activeTextEditor;
		if (!target || !editor) throw new UserFacingError("open a text editor to show the concept lens on");
		const { client } = this.engine.requireModel();
		this.inFlight?.abort();
		const controller = new AbortController();
		this.inFlight = controller;
		const document = editor.document;
		const version = document.version;
		const text = document.getText().slice(0, MAX_CHARACTERS);
		const direction = target.vector.vector.directions.get(target.layer) as Float32Array;
		const result = await client.tokenProjections(
			{ text, vector: direction, layer: target.layer },
			{ signal: controller.signal }
		);
		if (this.inFlight === controller) this.inFlight = undefined;
		// A newer edit or a hidden lens makes this result stale; the scheduled redraw replaces it.
		if (document.version !== version || this.target !== target) {
			// Redraw for the text as it is now, in case no further event will ask for it.
			if (this.target) this.schedule();
			throw new vscode.CancellationError();
		}

		const spans = locateTokens(text, result.pieces);
		const scores = spans.map((span) => result.scores[span.index] as number);
		const scale = lensScale(scores);
		const concept = conceptName(target.vector);
		const positive: vscode.DecorationOptions[][] = this.positive.map(() => []);
		const negative: vscode.DecorationOptions[][] = this.negative.map(() => []);
		spans.forEach((span, i) => {
			if (span.end <= span.start) return;
			const { side, shade } = lensShade(scores[i], scale);
			const range = new vscode.Range(document.positionAt(span.start), document.positionAt(span.end));
			const hover = new vscode.MarkdownString(
				`**${concept}**, layer ${target.layer}: ${lensSentence(concept, scores[i], scores)}.\n\n` +
					`Green leans to the vector's positive side, red to its negative side; the stronger the tint, the further from the middle of this text. (Projection ${scores[i].toFixed(1)}.)`
			);
			(side === "positive" ? positive : negative)[shade].push({ range, hoverMessage: hover });
		});
		this.positive.forEach((type, level) => editor.setDecorations(type, positive[level]));
		this.negative.forEach((type, level) => editor.setDecorations(type, negative[level]));
		const decorated = positive.concat(negative).reduce((sum, list) => sum + list.length, 0);
		const decoratedThrough = spans.reduce((end, span) => Math.max(end, span.end), 0);
		this.snapshot = {
			uri: document.uri.toString(),
			version,
			decoratedThrough,
			vector: target.vector.fileName,
			layer: target.layer,
			tokens: result.tokens.length,
			decorated,
			scores
		};
		this.updated.fire(this.snapshot);
		return this.snapshot;
	}

	private clear(editor: vscode.TextEditor): void {
		for (const type of [...this.positive, ...this.negative]) editor.setDecorations(type, []);
	}

	dispose(): void {
		this.cancelPending();
		for (const type of [...this.positive, ...this.negative]) type.dispose();
		for (const subscription of this.subscriptions) subscription.dispose();
		this.updated.dispose();
		this.legend.dispose();
	}
}

/** The concept a vector stands for, in words: a trained vector's file is named "<dataset>.<model>.gguf". */
function conceptName(vector: LibraryVector): string {
	return vector.name.split(".")[0] || vector.name;
}
