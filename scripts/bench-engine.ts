/**
 * Engine benchmark: prints the four ratios the engine is held to, each measured in this one run with
 * alternating repetitions (medians), on the trained tiny models and a generated random-weight model.
 *
 *   steered ÷ unsteered tokens/s             goal ≥ 0.98
 *   engine ÷ bare LlamaCompletion tokens/s   goal ≥ 0.95
 *   all-layer capture ÷ plain prompt eval    goal ≤ 1.10
 *   threads "auto" ÷ best fixed count        goal ≥ 0.90
 *
 * Usage: npm run bench:engine [-- --reps 5 --tokens 256 --model SmolLM2]   (--model: run only models whose name has it)
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { EngineClient } from "../src/engine/client";
import type { NativeAddon } from "../src/engine/process/nativeAddon";
import { autoThreadCount } from "../src/engine/process/threads";
import { makeTinyLlamaModel } from "../test/fixtures/gguf/tinyModel";

const root = path.resolve(__dirname, "..");
const { values } = parseArgs({
	options: { reps: { type: "string" }, tokens: { type: "string" }, model: { type: "string" } }
});
const reps = Number(values.reps ?? 5);
const tokens = Number(values.tokens ?? 256);
// Generation prompt: the story models continue it for hundreds of tokens without an end-of-story token.
const prompt = "Once upon a time";
const capturePrompt =
	"Once upon a time, there was a little girl named Lily. She loved to play in the park with her dog.";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (x: number, digits = 3) => x.toFixed(digits);

/**
 * CPU seconds a process has used (Linux /proc, 10 ms ticks). On a machine shared with other work, CPU
 * time per token is far steadier than wall time, so each speed ratio is also given per CPU second.
 */
function processCpuSeconds(pid: number): number {
	const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
	return (Number(fields[11]) + Number(fields[12])) / 100;
}

function ownCpuSeconds(): number {
	const usage = process.cpuUsage();
	return (usage.user + usage.system) / 1e6;
}

function randomDirections(nLayer: number, nEmbd: number): Map<number, Float32Array> {
	const directions = new Map<number, Float32Array>();
	let seed = 12345;
	const next = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff) * 2 - 1;
	for (let layer = 1; layer < nLayer; layer++) directions.set(layer, Float32Array.from({ length: nEmbd }, next));
	return directions;
}

async function benchModel(label: string, modelPath: string): Promise<Record<string, number>> {
	const { getLlama, LlamaCompletion } = await import("node-llama-cpp");
	const threads = autoThreadCount();
	console.log(`\n## ${label}`);

	// 1 + 2: the engine (its own process) with and without steering, and bare node-llama-cpp in this process.
	const engine = new EngineClient({ steerRoot: root });
	const info = await engine.loadModel({ modelPath, gpu: false, threads, contextSize: 512 });
	// A push small enough to leave the greedy tokens unchanged, so both runs do exactly the same work and
	// the ratio shows the cost of steering itself.
	const steering = [
		{ vector: { nEmbd: info.nEmbd, directions: randomDirections(info.nLayer, info.nEmbd) }, strength: 1e-4 }
	];
	const llama = await getLlama({ gpu: false, build: "never", logLevel: "error" as never });
	const model = await llama.loadModel({ modelPath });
	const context = await model.createContext({ contextSize: 512, threads, sequences: 1 });
	const sequence = context.getSequence();
	const bare = new LlamaCompletion({ contextSequence: sequence });

	const unsteered: number[] = [];
	const steered: number[] = [];
	const bareRates: number[] = [];
	const counts = { unsteered: 0, steered: 0, bare: 0, identical: true };
	const cpu = {
		unsteered: { seconds: 0, tokens: 0 },
		steered: { seconds: 0, tokens: 0 },
		bare: { seconds: 0, tokens: 0 }
	};
	let reference: string | undefined;
	// Blocks in A-B-B-A order against drift; the first run of a block applies the steering (a graph rebuild
	// and a fresh KV cache in llama.cpp) and is not counted: steady-state speed is what users feel.
	for (const block of ["unsteered", "steered", "steered", "unsteered"] as const) {
		const entries = block === "steered" ? steering : [];
		await engine.generate({ prompt, maxTokens: 8, steering: entries });
		for (let rep = 0; rep < reps; rep++) {
			const cpuBefore = processCpuSeconds(engine.pid!);
			const result = await engine.generate({ prompt, maxTokens: tokens, steering: entries });
			cpu[block].seconds += processCpuSeconds(engine.pid!) - cpuBefore;
			cpu[block].tokens += result.tokens.length;
			(block === "steered" ? steered : unsteered).push(result.tokensPerSecond);
			counts[block] = result.tokens.length;
			reference ??= result.tokens.join();
			counts.identical &&= reference === result.tokens.join();
		}
	}
	// Like the engine, bare LlamaCompletion keeps its sequence between requests (it reuses the common
	// prefix); clearing it only here would compare two different amounts of work.
	await bare.generateCompletion(prompt, { maxTokens: 8, temperature: 0 });
	for (let rep = 0; rep < reps; rep++) {
		let count = 0;
		const started = performance.now();
		const cpuBefore = ownCpuSeconds();
		await bare.generateCompletion(prompt, {
			maxTokens: tokens,
			temperature: 0,
			onToken: (chunk) => (count += chunk.length)
		});
		cpu.bare.seconds += ownCpuSeconds() - cpuBefore;
		cpu.bare.tokens += count;
		bareRates.push(count / ((performance.now() - started) / 1000));
		counts.bare = count;
	}
	await engine.dispose();

	// 3: all-layer capture against plain prompt evaluation, both on this process's model.
	const native = createRequire(__filename)(path.join(root, "build", "native", "steer-native.node")) as NativeAddon;
	const internal = (context as unknown as { _ctx: unknown })._ctx;
	native.bind(internal);
	const capture = new native.CaptureContext(internal, model, { contextSize: 512, threads });
	const longPrompt = Array.from({ length: 4 }, () => capturePrompt).join(" ");
	const ids = Int32Array.from([
		...(model.tokens.bos !== null ? [model.tokens.bos] : []),
		...model.tokenize(longPrompt)
	] as number[]);
	const allLayers = Int32Array.from({ length: info.nLayer }, (_, i) => i);
	const plainMs: number[] = [];
	const noCaptureMs: number[] = [];
	const captureAllMs: number[] = [];
	const captureLastMs: number[] = [];
	for (let rep = 0; rep < reps * 4; rep++) {
		await sequence.clearHistory();
		let started = performance.now();
		await sequence.evaluateWithoutGeneratingNewTokens(
			Array.from(ids).slice(model.tokens.bos !== null ? 1 : 0) as never
		);
		plainMs.push(performance.now() - started);
		started = performance.now();
		await capture.capture(ids, { layers: new Int32Array(0), start: ids.length - 1, end: ids.length, mean: false });
		noCaptureMs.push(performance.now() - started);
		started = performance.now();
		await capture.capture(ids, { layers: allLayers, start: 0, end: ids.length, mean: false });
		captureAllMs.push(performance.now() - started);
		started = performance.now();
		await capture.capture(ids, { layers: allLayers, start: ids.length - 1, end: ids.length, mean: false });
		captureLastMs.push(performance.now() - started);
	}
	capture.dispose();
	await context.dispose();

	// 4: generation speed per fixed thread count against "auto".
	const threadRates = new Map<number, number>();
	for (const count of [...new Set([1, 2, threads, os.availableParallelism(), os.availableParallelism() + 2])].sort(
		(a, b) => a - b
	)) {
		const threadContext = await model.createContext({ contextSize: 512, threads: count, sequences: 1 });
		const threadSequence = threadContext.getSequence();
		const completion = new LlamaCompletion({ contextSequence: threadSequence });
		const rates: number[] = [];
		for (let rep = 0; rep < 3; rep++) {
			await threadSequence.clearHistory();
			let generated = 0;
			const started = performance.now();
			// Cap the time per run: oversubscribed thread counts can be a thousand times slower.
			await completion.generateCompletion(prompt, {
				maxTokens: count > os.availableParallelism() - 1 && count > 1 ? 16 : 64,
				temperature: 0,
				onToken: (chunk) => (generated += chunk.length)
			});
			rates.push(generated / ((performance.now() - started) / 1000));
		}
		threadRates.set(count, median(rates));
		await threadContext.dispose();
	}
	await model.dispose();

	const bestFixed = Math.max(...threadRates.values());
	const perCpu = ({ seconds, tokens: generated }: { seconds: number; tokens: number }) =>
		generated / Math.max(seconds, 0.01);
	const results = {
		"steered ÷ unsteered tokens/s": median(steered) / median(unsteered),
		"steered ÷ unsteered tokens per CPU second": perCpu(cpu.steered) / perCpu(cpu.unsteered),
		"engine ÷ bare LlamaCompletion tokens/s": median(unsteered) / median(bareRates),
		"engine ÷ bare LlamaCompletion tokens per CPU second": perCpu(cpu.unsteered) / perCpu(cpu.bare),
		"all-layer capture (all positions) ÷ plain prompt eval": median(captureAllMs) / median(plainMs),
		"all-layer capture (last position) ÷ plain prompt eval": median(captureLastMs) / median(plainMs),
		"all-layer capture ÷ same context without capture": median(captureAllMs) / median(noCaptureMs),
		'threads "auto" ÷ best fixed count': threadRates.get(threads)! / bestFixed
	};
	console.log(
		`model: ${info.nLayer} layers × ${info.nEmbd}, prompt for capture: ${ids.length} tokens, auto threads: ${threads}`
	);
	console.log(
		`tokens/s (median of ${reps}): engine unsteered ${fmt(median(unsteered), 0)}, steered ${fmt(median(steered), 0)}, bare ${fmt(median(bareRates), 0)}; tokens per run ${counts.unsteered}/${counts.steered}/${counts.bare}, steered tokens identical: ${counts.identical}`
	);
	console.log(
		`prompt eval ms (median of ${reps * 4}): plain ${fmt(median(plainMs))}, capture context without capture ${fmt(median(noCaptureMs))}, all layers all positions ${fmt(median(captureAllMs))}, all layers last position ${fmt(median(captureLastMs))}`
	);
	console.log(
		`generation tokens/s by threads: ${[...threadRates].map(([count, rate]) => `${count}: ${fmt(rate, 1)}`).join(", ")}`
	);
	console.log(
		`CPU seconds for generation: engine unsteered ${fmt(cpu.unsteered.seconds, 2)} (${cpu.unsteered.tokens} tokens), steered ${fmt(cpu.steered.seconds, 2)} (${cpu.steered.tokens}), bare ${fmt(cpu.bare.seconds, 2)} (${cpu.bare.tokens})`
	);
	for (const [name, value] of Object.entries(results)) console.log(`${name.padEnd(56)} ${fmt(value)}`);
	return results;
}

async function main(): Promise<void> {
	console.log(`# Steer engine benchmark — ${new Date().toISOString()}`);
	console.log(
		`machine: ${os.cpus()[0]?.model ?? "unknown CPU"}, ${os.availableParallelism()} cores available, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${os.platform()} ${os.arch()}`
	);
	const modelsDir = path.resolve(process.env.STEER_TEST_MODELS ?? path.join(root, "..", "shared", "models"));
	const scratch = mkdtempSync(path.join(os.tmpdir(), "steer-bench-"));
	try {
		const generated = path.join(scratch, "random-8x256.gguf");
		writeFileSync(generated, makeTinyLlamaModel({ nLayer: 8, nEmbd: 256, nHead: 8, nFf: 768, nCtx: 512, seed: 1 }));
		const models: [string, string][] = [["generated random-weight model, 8 layers × 256 (f32)", generated]];
		for (const name of ["TinyStories-656K.f16.gguf", "stories260K.gguf"]) {
			const file = path.join(modelsDir, name);
			if (existsSync(file)) models.push([name, file]);
			else console.log(`(skipping ${name}: not found in ${modelsDir})`);
		}
		// The reference instruct model, where `node scripts/fetch-test-models.mjs` keeps it.
		const modelCache = path.resolve(
			process.env.STEER_MODEL_CACHE ?? path.join(os.homedir(), ".cache", "steer", "models")
		);
		const instruct = path.join(modelCache, "SmolLM2-135M-Instruct.Q4_1.gguf");
		if (existsSync(instruct)) models.push(["SmolLM2-135M-Instruct.Q4_1.gguf (30 layers × 576)", instruct]);
		else
			console.log(
				`(skipping SmolLM2-135M-Instruct: not in ${modelCache}; run node scripts/fetch-test-models.mjs)`
			);
		const only = values.model;
		const chosen = only === undefined ? models : models.filter(([label]) => label.includes(only));
		if (chosen.length === 0) throw new Error(`no benchmark model matches --model ${only}`);
		for (const [label, file] of chosen) await benchModel(label, file);
	} finally {
		rmSync(scratch, { recursive: true, force: true });
	}
}

void main().then(
	() => process.exit(0),
	(error) => {
		console.error(error);
		process.exit(1);
	}
);
