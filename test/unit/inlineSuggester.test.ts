// The inline suggestion policy with a scripted engine: what it asks for (fill-in-the-middle only when
// the model can), when it never asks (abandoned during the debounce), that abandoning a request stops
// the engine's generation, and what the cache answers without asking.
import assert from "node:assert/strict";
import { EngineError, isCancellation } from "../../src/engine/errors";
import type { GenerateParams, GenerateResult } from "../../src/engine/protocol";
import { completionContext, PREFIX_CHARACTERS, SUFFIX_CHARACTERS } from "../../src/vscode/inline/completionContext";
import { InlineSuggester, type SuggestionSettings } from "../../src/vscode/inline/inlineSuggester";
import { settlesAtOnce } from "../helpers/settlesAtOnce";

interface EngineCall {
	readonly params: GenerateParams;
	readonly signal: AbortSignal;
}

/** An engine that answers `reply` after `delayMs`, or rejects as the real one does when aborted first. */
function scriptedEngine(reply: (params: GenerateParams) => string, delayMs = 0) {
	const calls: EngineCall[] = [];
	let firstCall: () => void = () => undefined;
	/** Resolves when the engine is first asked for a generation. */
	const called = new Promise<void>((resolve) => (firstCall = resolve));
	const generate = (
		params: GenerateParams,
		options: { signal: AbortSignal; onText: (text: string) => void }
	): Promise<GenerateResult> => {
		calls.push({ params, signal: options.signal });
		firstCall();
		return new Promise((resolve, reject) => {
			const timer = setTimeout(() => {
				const text = reply(params);
				options.onText(text);
				resolve({
					text,
					tokens: [],
					tokensPerSecond: 1,
					promptTokens: 1,
					stopReason: "eogToken",
					infill: params.suffix !== undefined
				});
			}, delayMs);
			options.signal.addEventListener("abort", () => {
				clearTimeout(timer);
				reject(new EngineError("CANCELLED", "generation cancelled"));
			});
		});
	};
	return { calls, called, generate };
}

function suggester(
	engine: Pick<ReturnType<typeof scriptedEngine>, "generate">,
	options: { infill?: boolean; settings?: Partial<SuggestionSettings>; failures?: unknown[] } = {}
) {
	return new InlineSuggester({
		generate: engine.generate,
		supportsInfill: () => options.infill ?? false,
		steeringKey: () => "none",
		steeringEntries: () => [],
		temperature: () => 0,
		settings: () => ({ debounceMs: 0, maxTokens: 8, timeoutMs: 5000, multiline: false, ...options.settings }),
		isCancellation,
		onFailure: (error) => options.failures?.push(error)
	});
}

const live = () => new AbortController().signal;

describe("inline suggestion policy", () => {
	it("sends the text after the cursor as the infill suffix when the model has infill tokens", async () => {
		const engine = scriptedEngine(() => " ran home");
		const result = await suggester(engine, { infill: true }).suggest(
			{ prefix: "The dog", suffix: " and slept.", explicit: false },
			live()
		);
		assert.equal(result, " ran home");
		assert.equal(engine.calls.length, 1);
		assert.equal(engine.calls[0]!.params.prompt, "The dog");
		assert.equal(engine.calls[0]!.params.suffix, " and slept.");
	});

	it("sends no suffix to a model without infill tokens, and the text after the cursor does not split the cache", async () => {
		const engine = scriptedEngine(() => " ran home");
		const policy = suggester(engine, { infill: false });
		assert.equal(
			await policy.suggest({ prefix: "The dog", suffix: " and slept.", explicit: false }, live()),
			" ran home"
		);
		assert.equal(engine.calls[0]!.params.suffix, undefined);
		assert.equal(
			await policy.suggest({ prefix: "The dog", suffix: " something else.", explicit: false }, live()),
			" ran home"
		);
		assert.equal(engine.calls.length, 1, "the second request should have come from the cache");
	});

	it("asks again when the suffix changes under infill, since the middle must fit what follows", async () => {
		const engine = scriptedEngine((params) => ` fits ${params.suffix}`);
		const policy = suggester(engine, { infill: true });
		await policy.suggest({ prefix: "The dog", suffix: "A", explicit: false }, live());
		assert.equal(await policy.suggest({ prefix: "The dog", suffix: "B", explicit: false }, live()), " fits B");
		assert.equal(engine.calls.length, 2);
	});

	it("caps the text either side of the cursor", () => {
		const text = "a".repeat(PREFIX_CHARACTERS + 100) + "b".repeat(SUFFIX_CHARACTERS + 100);
		const around = completionContext(PREFIX_CHARACTERS + 100, text.length, (start, end) => text.slice(start, end));
		assert.equal(around.prefix, "a".repeat(PREFIX_CHARACTERS));
		assert.equal(around.suffix, "b".repeat(SUFFIX_CHARACTERS));
		const short = completionContext(2, 4, (start, end) => "abcd".slice(start, end));
		assert.deepEqual(short, { prefix: "ab", suffix: "cd" });
	});

	it("never reaches the engine when the next keystroke comes during the debounce", async () => {
		const engine = scriptedEngine(() => " ran home");
		// A debounce far longer than the test: the request can only end through the keystroke.
		const policy = suggester(engine, { settings: { debounceMs: 10_000 } });
		const keystroke = new AbortController();
		const pending = policy.suggest({ prefix: "The dog", suffix: "", explicit: false }, keystroke.signal);
		assert.equal(await settlesAtOnce(pending), false, "the request should wait out the debounce");
		assert.equal(engine.calls.length, 0, "the engine was asked before the debounce ended");
		keystroke.abort();
		assert.ok(await settlesAtOnce(pending), "the keystroke should end the wait at once");
		assert.equal(await pending, undefined);
		assert.equal(engine.calls.length, 0);
	});

	it("aborts the running generation when the request is abandoned, and reports nothing as a failure", async () => {
		// An engine that would answer long after the test: the request can only end through the abort.
		const engine = scriptedEngine(() => " ran home", 10_000);
		const failures: unknown[] = [];
		const policy = suggester(engine, { failures });
		const keystroke = new AbortController();
		const pending = policy.suggest({ prefix: "The dog", suffix: "", explicit: false }, keystroke.signal);
		await engine.called;
		assert.equal(engine.calls.length, 1);
		keystroke.abort();
		assert.ok(engine.calls[0]!.signal.aborted, "the engine's signal must abort with the request");
		assert.ok(await settlesAtOnce(pending), "an abandoned request must settle at once");
		assert.equal(await pending, undefined);
		assert.deepEqual(failures, []);
	});

	it("offers the rest of a cached suggestion while its first characters are typed", async () => {
		const engine = scriptedEngine(() => " ran home");
		const policy = suggester(engine);
		await policy.suggest({ prefix: "The dog", suffix: "", explicit: false }, live());
		assert.equal(await policy.suggest({ prefix: "The dog ra", suffix: "", explicit: false }, live()), "n home");
		assert.equal(engine.calls.length, 1);
		// Typing something else than the suggestion asks the engine again.
		await policy.suggest({ prefix: "The dog sa", suffix: "", explicit: false }, live());
		assert.equal(engine.calls.length, 2);
	});

	it("offers the text made so far when generation hits the time cap", async () => {
		const engine = {
			calls: [] as EngineCall[],
			generate: (_params: GenerateParams, options: { signal: AbortSignal; onText: (text: string) => void }) => {
				options.onText(" ran");
				return new Promise<GenerateResult>((_, reject) =>
					options.signal.addEventListener("abort", () =>
						reject(new EngineError("CANCELLED", "generation cancelled"))
					)
				);
			}
		};
		const result = await suggester(engine, { settings: { timeoutMs: 50 } }).suggest(
			{ prefix: "The dog", suffix: "", explicit: false },
			live()
		);
		assert.equal(result, " ran");
	});

	it("offers nothing without a model, and reports engine failures", async () => {
		const engine = scriptedEngine(() => " ran home");
		const none = new InlineSuggester({
			generate: engine.generate,
			supportsInfill: () => undefined,
			steeringKey: () => "",
			steeringEntries: () => [],
			temperature: () => 0,
			settings: () => ({ debounceMs: 0, maxTokens: 8, timeoutMs: 5000, multiline: false }),
			isCancellation,
			onFailure: () => assert.fail("no engine call was expected")
		});
		assert.equal(await none.suggest({ prefix: "The dog", suffix: "", explicit: true }, live()), undefined);
		assert.equal(engine.calls.length, 0);

		const failures: unknown[] = [];
		const broken = { calls: [], generate: () => Promise.reject(new EngineError("INTERNAL", "boom")) };
		assert.equal(
			await suggester(broken, { failures }).suggest({ prefix: "The dog", suffix: "", explicit: false }, live()),
			undefined
		);
		assert.equal(failures.length, 1);
	});
});
