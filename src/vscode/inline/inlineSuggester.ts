/**
 * The policy behind steered ghost text, free of the editor so it can be measured and tested on its own:
 * when to ask the engine, what to ask (plain continuation, or fill-in-the-middle when the model has the
 * tokens for it), when to give up, and what to reuse.
 *
 * A request waits out the debounce and is abandoned the moment its signal aborts (the next keystroke),
 * which aborts the engine's generation too. Suggestions are cached by the text around the cursor and the
 * steering in force, so moving back and forth or re-triggering is free; typing the first characters of
 * a suggestion shown a moment ago is answered from the cache with the rest of it. Generation is capped
 * in tokens and in time; on the time cap the text made so far is offered.
 */
import type { GenerateParams, GenerateResult, SteeringEntry } from "../../engine/protocol";
import { abortableDelay } from "./abortableDelay";
import type { CompletionContext } from "./completionContext";
import { LruCache } from "./lruCache";

const CACHE_ENTRIES = 200;
/**
 * How far back a cached suggestion may be continued from: typing more than this many characters of a
 * suggestion without accepting it is rare, and each step back is one more cache lookup per keystroke.
 */
const TYPED_AHEAD_CHARACTERS = 64;

/** The subset of the inline settings this policy reads. */
export interface SuggestionSettings {
	readonly debounceMs: number;
	readonly maxTokens: number;
	readonly timeoutMs: number;
	readonly multiline: boolean;
}

export interface SuggesterDependencies {
	readonly generate: (
		params: GenerateParams,
		options: { signal: AbortSignal; onText: (text: string) => void }
	) => Promise<GenerateResult>;
	/** Whether the loaded model has fill-in-the-middle tokens; undefined when no model is loaded. */
	readonly supportsInfill: () => boolean | undefined;
	/** Identifies the steering in force, so a change of steering never serves an old suggestion. */
	readonly steeringKey: () => string;
	readonly steeringEntries: () => readonly SteeringEntry[];
	readonly temperature: () => number;
	readonly settings: () => SuggestionSettings;
	/** Told about failures that are neither cancellation nor the time cap. */
	readonly onFailure: (error: unknown) => void;
	/** Tells a caller's own abort (a keystroke) from every other failure. */
	readonly isCancellation: (error: unknown) => boolean;
}

export interface SuggestionRequest extends CompletionContext {
	/** Asked for explicitly (a command), so the debounce does not apply. */
	readonly explicit: boolean;
}

export class InlineSuggester {
	private readonly cache = new LruCache<string, string>(CACHE_ENTRIES);

	constructor(private readonly deps: SuggesterDependencies) {}

	/** The suggestion for the cursor, or undefined when there is none or the request was abandoned. */
	async suggest(request: SuggestionRequest, signal: AbortSignal): Promise<string | undefined> {
		const infill = this.deps.supportsInfill();
		if (infill === undefined || request.prefix.trim() === "") return undefined;
		const settings = this.deps.settings();
		// Without infill the text after the cursor plays no part, so it must not split the cache either.
		const suffix = infill ? request.suffix : "";
		const keyOf = this.keyFor(settings, suffix);
		let suggestion = this.cache.get(keyOf(request.prefix)) ?? this.typedAhead(request.prefix, keyOf);
		if (suggestion === undefined) {
			if (!request.explicit && !(await abortableDelay(settings.debounceMs, signal))) return undefined;
			suggestion = await this.generate(request.prefix, suffix, settings, signal);
			if (suggestion === undefined) return undefined;
			this.cache.set(keyOf(request.prefix), suggestion);
		}
		return suggestion.trim() === "" ? undefined : suggestion;
	}

	clearCache(): void {
		this.cache.clear();
	}

	private keyFor(settings: SuggestionSettings, suffix: string): (prefix: string) => string {
		const fixed = `${this.deps.steeringKey()}\u0000${settings.multiline}\u0000${settings.maxTokens}\u0000${suffix}\u0000`;
		return (prefix) => fixed + prefix;
	}

	/** The rest of a cached suggestion whose first characters are the latest ones typed. */
	private typedAhead(prefix: string, keyOf: (prefix: string) => string): string | undefined {
		for (let typed = 1; typed <= Math.min(TYPED_AHEAD_CHARACTERS, prefix.length - 1); typed++) {
			const earlier = this.cache.get(keyOf(prefix.slice(0, -typed)));
			if (earlier === undefined || !earlier.startsWith(prefix.slice(-typed))) continue;
			const rest = earlier.slice(typed);
			// Typed to the end of it: a fresh suggestion is wanted, not an empty one.
			return rest.trim() === "" ? undefined : rest;
		}
		return undefined;
	}

	private async generate(
		prompt: string,
		suffix: string,
		settings: SuggestionSettings,
		signal: AbortSignal
	): Promise<string | undefined> {
		const controller = new AbortController();
		const forwardAbort = () => controller.abort();
		signal.addEventListener("abort", forwardAbort, { once: true });
		let timedOut = false;
		const timer = setTimeout(() => {
			timedOut = true;
			controller.abort();
		}, settings.timeoutMs);
		let streamed = "";
		try {
			const result = await this.deps.generate(
				{
					prompt,
					...(suffix.length > 0 ? { suffix } : {}),
					maxTokens: settings.maxTokens,
					temperature: this.deps.temperature(),
					seed: 0,
					stop: settings.multiline ? ["\n\n"] : ["\n"],
					steering: this.deps.steeringEntries()
				},
				{ signal: controller.signal, onText: (text) => (streamed += text) }
			);
			return trimSuggestion(result.text, settings.multiline);
		} catch (error) {
			if (timedOut && !signal.aborted) return trimSuggestion(streamed, settings.multiline);
			if (signal.aborted || this.deps.isCancellation(error)) return undefined;
			this.deps.onFailure(error);
			return undefined;
		} finally {
			clearTimeout(timer);
			signal.removeEventListener("abort", forwardAbort);
		}
	}
}

function trimSuggestion(text: string, multiline: boolean): string {
	if (multiline) return text.replace(/\s+$/, "");
	const newline = text.indexOf("\n");
	return newline < 0 ? text : text.slice(0, newline);
}
