/**
 * Steered completions as ghost text. Each request waits out the debounce, and is abandoned the moment
 * VS Code cancels it (the next keystroke), which aborts the engine's generation too. Suggestions are
 * cached by the text before the cursor and the steering in force, so moving back and forth or
 * re-triggering is free. Generation is capped in tokens and in time; on the time cap the text made so
 * far is offered.
 */
import * as vscode from "vscode";
import { EngineError } from "../../engine/errors";
import type { EngineService } from "../engine/engineService";
import { isUserCancellation } from "../failures";
import type { InlineSettings } from "../settings";
import type { SteeringController } from "../steering/steeringController";
import { LruCache } from "./lruCache";

/** Characters before the cursor used as the prompt. */
const PREFIX_CHARACTERS = 2000;
const CACHE_ENTRIES = 200;

export interface InlineDependencies {
	readonly engine: EngineService;
	readonly steering: SteeringController;
	readonly settings: () => InlineSettings;
	readonly temperature: () => number;
	readonly log: vscode.LogOutputChannel;
}

export class SteeredCompletionProvider implements vscode.InlineCompletionItemProvider {
	private readonly cache = new LruCache<string, string>(CACHE_ENTRIES);

	constructor(private readonly deps: InlineDependencies) {}

	async provideInlineCompletionItems(
		document: vscode.TextDocument,
		position: vscode.Position,
		context: vscode.InlineCompletionContext,
		token: vscode.CancellationToken
	): Promise<vscode.InlineCompletionItem[] | undefined> {
		const settings = this.deps.settings();
		const explicit = context.triggerKind === vscode.InlineCompletionTriggerKind.Invoke;
		if ((!settings.enabled && !explicit) || !languageEnabled(settings.languages, document.languageId)) return undefined;
		if (!this.deps.engine.modelInfo) return undefined;

		const start = document.positionAt(Math.max(0, document.offsetAt(position) - PREFIX_CHARACTERS));
		const prefix = document.getText(new vscode.Range(start, position));
		if (prefix.trim() === "") return undefined;
		const key = `${this.deps.steering.stateKey()}\u0000${settings.multiline}\u0000${settings.maxTokens}\u0000${prefix}`;
		let suggestion = this.cache.get(key);
		if (suggestion === undefined) {
			if (!explicit && !(await debounce(settings.debounceMs, token))) return undefined;
			suggestion = await this.generate(prefix, settings, token);
			if (suggestion === undefined) return undefined;
			this.cache.set(key, suggestion);
		}
		if (suggestion.trim() === "") return undefined;
		return [new vscode.InlineCompletionItem(suggestion, new vscode.Range(position, position))];
	}

	private async generate(prompt: string, settings: InlineSettings, token: vscode.CancellationToken): Promise<string | undefined> {
		const controller = new AbortController();
		const cancellation = token.onCancellationRequested(() => controller.abort());
		let timedOut = false;
		const timer = setTimeout(() => {
			timedOut = true;
			controller.abort();
		}, settings.timeoutMs);
		let streamed = "";
		try {
			const result = await this.deps.engine.generate(
				{
					prompt,
					maxTokens: settings.maxTokens,
					temperature: this.deps.temperature(),
					seed: 0,
					stop: settings.multiline ? ["\n\n"] : ["\n"],
					steering: this.deps.steering.entries()
				},
				{ signal: controller.signal, onText: (text) => (streamed += text) }
			);
			return trimSuggestion(result.text, settings.multiline);
		} catch (error) {
			if (timedOut && !token.isCancellationRequested) return trimSuggestion(streamed, settings.multiline);
			if (isUserCancellation(error) || token.isCancellationRequested) return undefined;
			// Inline suggestions are unsolicited: log failures rather than interrupting typing.
			this.deps.log.warn(`inline suggestion failed: ${error instanceof EngineError ? `${error.message} [${error.code}]` : String(error)}`);
			return undefined;
		} finally {
			clearTimeout(timer);
			cancellation.dispose();
		}
	}

	clearCache(): void {
		this.cache.clear();
	}
}

function languageEnabled(languages: readonly string[], languageId: string): boolean {
	return languages.includes("*") || languages.includes(languageId);
}

/** Resolves true after `ms`, or false as soon as the request is cancelled. */
function debounce(ms: number, token: vscode.CancellationToken): Promise<boolean> {
	if (token.isCancellationRequested) return Promise.resolve(false);
	if (ms <= 0) return Promise.resolve(true);
	return new Promise((resolve) => {
		const timer = setTimeout(() => {
			subscription.dispose();
			resolve(true);
		}, ms);
		const subscription = token.onCancellationRequested(() => {
			clearTimeout(timer);
			subscription.dispose();
			resolve(false);
		});
	});
}

function trimSuggestion(text: string, multiline: boolean): string {
	if (multiline) return text.replace(/\s+$/, "");
	const newline = text.indexOf("\n");
	return newline < 0 ? text : text.slice(0, newline);
}
