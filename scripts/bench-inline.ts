/**
 * Inline-completion benchmark: keystroke → ghost-text latency of the inline suggestion policy
 * (`InlineSuggester`, the same code the editor's provider runs) against the real engine process, with
 * keystrokes simulated at a typing cadence. Each keystroke abandons the previous request, as VS Code
 * does, so the figures include debounce, cancellation, the engine's queue and the LRU cache.
 *
 *   latency p50/p95   keystroke → suggestion ready, for the requests that showed ghost text
 *   stale stop        abort of a running generation → the engine has stopped it   goal ≤ 50 ms
 *
 * Usage: npm run bench:inline [-- --model stories260K.gguf --cadence 120 --pause 700 --debounce 300,0]
 */
import { existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { EngineClient } from "../src/engine/client";
import { isCancellation } from "../src/engine/errors";
import type { GenerateParams, GenerateResult } from "../src/engine/protocol";
import { completionContext } from "../src/vscode/inline/completionContext";
import { InlineSuggester } from "../src/vscode/inline/inlineSuggester";

const root = path.resolve(__dirname, "..");
const { values } = parseArgs({
	options: {
		model: { type: "string" },
		cadence: { type: "string" },
		pause: { type: "string" },
		"pause-every": { type: "string" },
		debounce: { type: "string" },
		"max-tokens": { type: "string" }
	}
});
const modelsDir = path.resolve(process.env.STEER_TEST_MODELS ?? path.join(root, "..", "shared", "models"));
const modelPath = path.resolve(modelsDir, values.model ?? "TinyStories-656K.f16.gguf");
/** Milliseconds between keystrokes within a burst: about 100 words a minute. */
const cadenceMs = Number(values.cadence ?? 120);
/** A writer stops to think every few words; that is when ghost text has time to appear. */
const pauseMs = Number(values.pause ?? 700);
const pauseEveryWords = Number(values["pause-every"] ?? 3);
const debounceSettings = (values.debounce ?? "300,0").split(",").map(Number);
const maxTokens = Number(values["max-tokens"] ?? 24);
/**
 * The stale-stop probe: suggestions long enough, and typing fast enough, that every keystroke lands
 * while a generation is running; on the tiny models a 24-token suggestion is over before the next key.
 */
const probe = { cadenceMs: 40, maxTokens: 256, debounceMs: 0, multiline: true } as const;

// Typed into a document that already has text after the cursor, so models with infill tokens fill the middle.
const typed =
	"Once upon a time, there was a little girl named Lily. She loved to play outside in the sun. " +
	"One day, she saw a big red ball in the park. She ran to the ball and picked it up. " +
	"Lily was very happy and she played with the ball all day.";
const after = " The end.";

interface Keystroke {
	readonly at: number;
	readonly text: string;
}

/** Keystroke times: one character per cadence tick, and a pause after every few words. */
function keystrokes(cadenceMs: number): Keystroke[] {
	const strokes: Keystroke[] = [];
	let at = 0;
	let words = 0;
	for (let i = 1; i <= typed.length; i++) {
		strokes.push({ at, text: typed.slice(0, i) });
		const wordEnded = typed[i - 1] === " ";
		if (wordEnded) words++;
		at += wordEnded && words % pauseEveryWords === 0 ? pauseMs : cadenceMs;
	}
	return strokes;
}

const percentile = (xs: readonly number[], p: number) => {
	if (xs.length === 0) return NaN;
	const sorted = [...xs].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};
const ms = (x: number) => (Number.isNaN(x) ? "–" : `${x.toFixed(0)} ms`);
const sleepUntil = (start: number, at: number) =>
	new Promise((resolve) => setTimeout(resolve, Math.max(0, start + at - performance.now())));

interface RunFigures {
	readonly keystrokes: number;
	readonly shown: number;
	readonly fromCache: number;
	readonly latencies: number[];
	readonly cachedLatencies: number[];
	readonly generatedLatencies: number[];
	readonly generationMs: number[];
	readonly staleStops: number[];
	readonly infill: boolean;
}

interface RunSettings {
	readonly debounceMs: number;
	readonly maxTokens: number;
	readonly cadenceMs: number;
	readonly multiline: boolean;
}

async function run(
	engine: EngineClient,
	supportsInfill: boolean,
	{ debounceMs, maxTokens, cadenceMs, multiline }: RunSettings
): Promise<RunFigures> {
	const generationMs: number[] = [];
	const staleStops: number[] = [];
	let generations = 0;
	let infill = false;
	// The engine call, instrumented: how long each generation ran and, when abandoned, how long it took to stop.
	const generate = async (
		params: GenerateParams,
		options: { signal: AbortSignal; onText: (text: string) => void }
	): Promise<GenerateResult> => {
		generations++;
		const started = performance.now();
		let abortedAt: number | undefined;
		options.signal.addEventListener("abort", () => (abortedAt = performance.now()), { once: true });
		try {
			const result = await engine.generate(params, options);
			generationMs.push(performance.now() - started);
			infill ||= result.infill;
			return result;
		} finally {
			if (abortedAt !== undefined) staleStops.push(performance.now() - abortedAt);
		}
	};
	const suggester = new InlineSuggester({
		generate,
		supportsInfill: () => supportsInfill,
		steeringKey: () => "",
		steeringEntries: () => [],
		temperature: () => 0,
		settings: () => ({ debounceMs, maxTokens, timeoutMs: 2000, multiline }),
		isCancellation,
		onFailure: (error) => console.error(`suggestion failed: ${String(error)}`)
	});

	const latencies: number[] = [];
	const cachedLatencies: number[] = [];
	const generatedLatencies: number[] = [];
	const pending: Promise<void>[] = [];
	let previous: AbortController | undefined;
	let fromCache = 0;
	const strokes = keystrokes(cadenceMs);
	const start = performance.now();
	for (const stroke of strokes) {
		await sleepUntil(start, stroke.at);
		previous?.abort();
		const controller = new AbortController();
		previous = controller;
		const pressed = performance.now();
		const generationsBefore = generations;
		const document = stroke.text + after;
		const around = completionContext(stroke.text.length, document.length, (from, to) => document.slice(from, to));
		pending.push(
			suggester.suggest({ ...around, explicit: false }, controller.signal).then((suggestion) => {
				// Ghost text shows only if no later keystroke has superseded this request.
				if (suggestion === undefined || controller.signal.aborted) return;
				const latency = performance.now() - pressed;
				latencies.push(latency);
				if (generations === generationsBefore) {
					fromCache++;
					cachedLatencies.push(latency);
				} else generatedLatencies.push(latency);
			})
		);
	}
	await Promise.all(pending);
	return {
		keystrokes: strokes.length,
		shown: latencies.length,
		fromCache,
		latencies,
		cachedLatencies,
		generatedLatencies,
		generationMs,
		staleStops,
		infill
	};
}

async function main(): Promise<void> {
	if (!existsSync(modelPath)) throw new Error(`${modelPath} not found (set STEER_TEST_MODELS or pass --model)`);
	console.log(
		`machine: ${os.cpus()[0]?.model ?? "unknown CPU"}, ${os.availableParallelism()} cores available, load average ${os.loadavg()[0]!.toFixed(2)}, Node ${process.version}`
	);
	console.log(
		`model: ${path.basename(modelPath)}; keystrokes every ${cadenceMs} ms, a ${pauseMs} ms pause every ${pauseEveryWords} words; up to ${maxTokens} tokens per suggestion`
	);
	const engine = new EngineClient({ steerRoot: root });
	try {
		// One thread: on a small shared machine llama.cpp is many times slower with more (see the models' notes).
		const info = await engine.loadModel({ modelPath, gpu: false, threads: 1, contextSize: 2048 });
		// Warm the engine (first graph build) so the first keystroke is not charged for it.
		await engine.generate({ prompt: "Once upon a time", maxTokens: 4, temperature: 0 });
		const runs: Array<RunSettings & { title: string }> = [
			...debounceSettings.map((debounceMs) => ({
				title: `debounce ${debounceMs} ms`,
				debounceMs,
				maxTokens,
				cadenceMs,
				multiline: false
			})),
			{
				title: `stale-stop probe: ${probe.maxTokens}-token multi-line suggestions, a key every ${probe.cadenceMs} ms, debounce 0`,
				...probe
			}
		];
		for (const settings of runs) {
			const figures = await run(engine, info.supportsInfill, settings);
			console.log(
				`\n## ${settings.title} (${figures.infill ? "fill-in-the-middle" : info.supportsInfill ? "infill supported, unused" : "plain continuation: the model has no infill tokens"})`
			);
			console.log(
				`ghost text shown after ${figures.shown} of ${figures.keystrokes} keystrokes, ${figures.fromCache} from the cache`
			);
			console.log(
				`keystroke → ghost text: p50 ${ms(percentile(figures.latencies, 50))}, p95 ${ms(percentile(figures.latencies, 95))}`
			);
			console.log(
				`  generated: p50 ${ms(percentile(figures.generatedLatencies, 50))}, p95 ${ms(percentile(figures.generatedLatencies, 95))}, n=${figures.generatedLatencies.length}`
			);
			console.log(
				`  answered from the cache: p50 ${ms(percentile(figures.cachedLatencies, 50))}, p95 ${ms(percentile(figures.cachedLatencies, 95))}, n=${figures.cachedLatencies.length}`
			);
			console.log(
				`engine generation (completed): p50 ${ms(percentile(figures.generationMs, 50))}, p95 ${ms(percentile(figures.generationMs, 95))}, n=${figures.generationMs.length}`
			);
			const worst = figures.staleStops.length > 0 ? Math.max(...figures.staleStops) : NaN;
			const verdict =
				figures.staleStops.length === 0 ? "" : worst <= 50 ? " (goal ≤ 50 ms met)" : " (goal ≤ 50 ms missed)";
			console.log(
				`stale generation stop: p50 ${ms(percentile(figures.staleStops, 50))}, p95 ${ms(percentile(figures.staleStops, 95))}, max ${ms(worst)}, n=${figures.staleStops.length}${verdict}`
			);
		}
	} finally {
		await engine.dispose();
	}
}

main().catch((error) => {
	console.error(error);
	process.exitCode = 1;
});
