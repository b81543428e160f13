/**
 * Steered completions as ghost text: the editor side of `InlineSuggester`. It decides whether this
 * document and trigger get a suggestion at all, reads the text around the cursor, and turns VS Code's
 * cancellation (the next keystroke) into the abort signal the suggester and the engine stop on.
 */
import * as vscode from "vscode";
import { EngineError } from "../../engine/errors";
import type { EngineService } from "../engine/engineService";
import { isUserCancellation } from "../failures";
import type { InlineSettings } from "../settings";
import type { SteeringController } from "../steering/steeringController";
import { completionContext } from "./completionContext";
import { InlineSuggester } from "./inlineSuggester";

export interface InlineDependencies {
	readonly engine: EngineService;
	readonly steering: SteeringController;
	readonly settings: () => InlineSettings;
	readonly temperature: () => number;
	readonly log: vscode.LogOutputChannel;
}

export class SteeredCompletionProvider implements vscode.InlineCompletionItemProvider {
	private readonly suggester: InlineSuggester;

	constructor(private readonly deps: InlineDependencies) {
		this.suggester = new InlineSuggester({
			generate: (params, options) => deps.engine.generate(params, options),
			supportsInfill: () => deps.engine.modelInfo?.supportsInfill,
			steeringKey: () => deps.steering.stateKey(),
			steeringEntries: () => deps.steering.entries(),
			temperature: deps.temperature,
			settings: deps.settings,
			isCancellation: isUserCancellation,
			// Inline suggestions are unsolicited: log failures rather than interrupting typing.
			onFailure: (error) =>
				deps.log.warn(
					`inline suggestion failed: ${error instanceof EngineError ? `${error.message} [${error.code}]` : String(error)}`
				)
		});
	}

	async provideInlineCompletionItems(
		document: vscode.TextDocument,
		position: vscode.Position,
		context: vscode.InlineCompletionContext,
		token: vscode.CancellationToken
	): Promise<vscode.InlineCompletionItem[] | undefined> {
		const settings = this.deps.settings();
		const explicit = context.triggerKind === vscode.InlineCompletionTriggerKind.Invoke;
		if ((!settings.enabled && !explicit) || !languageEnabled(settings.languages, document.languageId))
			return undefined;

		// The end offset without copying the whole document on every keystroke.
		const length = document.offsetAt(document.lineAt(document.lineCount - 1).range.end);
		const around = completionContext(document.offsetAt(position), length, (start, end) =>
			document.getText(new vscode.Range(document.positionAt(start), document.positionAt(end)))
		);
		const abort = new AbortController();
		const cancellation = token.onCancellationRequested(() => abort.abort());
		if (token.isCancellationRequested) abort.abort();
		try {
			const suggestion = await this.suggester.suggest({ ...around, explicit }, abort.signal);
			if (suggestion === undefined) return undefined;
			return [new vscode.InlineCompletionItem(suggestion, new vscode.Range(position, position))];
		} finally {
			cancellation.dispose();
		}
	}

	clearCache(): void {
		this.suggester.clearCache();
	}
}

function languageEnabled(languages: readonly string[], languageId: string): boolean {
	return languages.includes("*") || languages.includes(languageId);
}
