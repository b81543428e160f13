/**
 * Steer's engine against llama.cpp's own `llama-completion` (the same llama.cpp release, built by
 * `node scripts/build-llama-tools.mjs`): generation tokens/s on the same model, prompt, token count and
 * thread count, greedy. Runs alternate (engine, llama.cpp, llama.cpp, engine, …); medians are printed.
 *
 * Both rates count the generated tokens over the time from the start of prompt evaluation to the last
 * token: the engine's own `tokensPerSecond`, and for llama.cpp the sum of the prompt eval, eval and
 * sampling times it prints (so its model load and process start are left out, as the engine's are).
 *
 * Usage: npx tsx scripts/bench-llama-cpp.ts [--model FILE] [--tokens 256] [--reps 5] [--threads 1]
 * Not part of CI.
 */
import { spawnSync } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { EngineClient } from "../src/engine/client";
import { findLlamaTools } from "../test/helpers/llamaTools";

const root = path.resolve(__dirname, "..");
const { values } = parseArgs({
	options: {
		model: { type: "string" },
		tokens: { type: "string" },
		reps: { type: "string" },
		threads: { type: "string" }
	}
});
const modelsDir = path.resolve(process.env.STEER_TEST_MODELS ?? path.join(root, "..", "shared", "models"));
const modelPath = path.resolve(values.model ?? path.join(modelsDir, "stories260K.gguf"));
const tokens = Number(values.tokens ?? 256);
const reps = Number(values.reps ?? 5);
const threads = Number(values.threads ?? 1);
// The story models continue this prompt for hundreds of tokens without an end-of-story token. Steer reads
// prompts without SentencePiece's word-start space and llama.cpp adds it: " " + prompt for Steer gives
// both the same tokens.
const prompt = "Once upon a time";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface LlamaRun {
	readonly tokensPerSecond: number;
	readonly decodeMsPerToken: number;
	readonly generated: number;
}

function llamaCompletion(binary: string): LlamaRun {
	// llama.cpp prints through a log thread that can lose its last lines at exit (llama.cpp issue 22142):
	// a run without its timings is repeated.
	for (let attempt = 0; attempt < 8; attempt++) {
		const run = llamaCompletionOnce(binary);
		if (run) return run;
	}
	throw new Error("llama-completion's timings were cut short 8 times");
}

function llamaCompletionOnce(binary: string): LlamaRun | undefined {
	const result = spawnSync(
		binary,
		[
			...["--model", modelPath, "--prompt", prompt, "--n-predict", String(tokens)],
			...["--temp", "0", "--top-k", "1", "--seed", "1", "--threads", String(threads)],
			...["--threads-batch", String(threads), "--ctx-size", "512", "--n-gpu-layers", "0"],
			...["-no-cnv", "--no-display-prompt", "--no-warmup"]
		],
		{ encoding: "utf8", maxBuffer: 64 * 1024 * 1024 }
	);
	if (result.status !== 0) throw new Error(`llama-completion failed:\n${result.stderr.slice(-3000)}`);
	// common_perf_print: "sampling time = S ms", "prompt eval time = X ms / P tokens", "eval time = Y ms / R runs".
	const time = (label: string) => {
		const match = new RegExp(`common_perf_print:\\s+${label} time =\\s*([\\d.]+) ms(?: /\\s*(\\d+))?`).exec(
			result.stderr
		);
		return match ? { ms: Number(match[1]), count: Number(match[2] ?? 0) } : undefined;
	};
	const promptEval = time("prompt eval");
	const evaluation = time("eval");
	const sampling = time("sampling");
	if (!promptEval || !evaluation || !sampling) return undefined;
	// The first token comes from the prompt's logits; each later one costs one eval run.
	const generated = evaluation.count + 1;
	return {
		tokensPerSecond: generated / ((promptEval.ms + evaluation.ms + sampling.ms) / 1000),
		decodeMsPerToken: (evaluation.ms + sampling.ms) / Math.max(evaluation.count, 1),
		generated
	};
}

async function main(): Promise<void> {
	const { tools, reason } = findLlamaTools();
	if (!tools) throw new Error(reason);
	console.log(`# Steer engine vs llama-completion — ${new Date().toISOString()}`);
	console.log(
		`machine: ${os.cpus()[0]?.model ?? "unknown CPU"}, ${os.availableParallelism()} cores available, Node ${process.version}; llama.cpp ${tools.tag} (${tools.commit.slice(0, 10)})`
	);
	console.log(
		`model: ${path.basename(modelPath)}, prompt ${JSON.stringify(prompt)}, ${tokens} tokens, ${threads} thread(s), greedy`
	);

	const engine = new EngineClient({ steerRoot: root });
	await engine.loadModel({ modelPath, gpu: false, threads, contextSize: 512 });
	const steer: number[] = [];
	const steerCounts: number[] = [];
	const llama: LlamaRun[] = [];
	try {
		await engine.generate({ prompt: " " + prompt, maxTokens: 8, temperature: 0, steering: [] });
		for (let rep = 0; rep < reps; rep++) {
			for (const side of rep % 2 === 0 ? ["steer", "llama"] : ["llama", "steer"]) {
				if (side === "llama") llama.push(llamaCompletion(tools.completion));
				else {
					const result = await engine.generate({
						prompt: " " + prompt,
						maxTokens: tokens,
						temperature: 0,
						steering: []
					});
					steer.push(result.tokensPerSecond);
					steerCounts.push(result.tokens.length);
				}
			}
		}
	} finally {
		await engine.dispose();
	}
	const steerRate = median(steer);
	const llamaRate = median(llama.map((run) => run.tokensPerSecond));
	console.log(
		`tokens per run: engine ${[...new Set(steerCounts)].join("/")}, llama-completion ${[...new Set(llama.map((run) => run.generated))].join("/")}`
	);
	console.log(
		`engine tokens/s (median of ${reps}):           ${steerRate.toFixed(0)} (${(1000 / steerRate).toFixed(3)} ms/token)`
	);
	console.log(
		`llama-completion tokens/s (median of ${reps}): ${llamaRate.toFixed(0)} (${(1000 / llamaRate).toFixed(3)} ms/token; decode alone ${median(llama.map((run) => run.decodeMsPerToken)).toFixed(3)} ms/token)`
	);
	console.log(`engine ÷ llama-completion tokens/s: ${(steerRate / llamaRate).toFixed(3)}`);
}

void main().then(
	() => process.exit(0),
	(error) => {
		console.error(error instanceof Error ? error.message : error);
		process.exit(1);
	}
);
