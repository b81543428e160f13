/**
 * Steer and llama.cpp agree on control vectors, token for token, with the llama.cpp release that
 * node-llama-cpp bundles (its tools built by `node scripts/build-llama-tools.mjs`):
 * - a vector Steer trains loads in `llama-completion` and `llama-server` (`--control-vector-scaled
 *   FILE:S`, `--control-vector-layer-range A B`), and llama.cpp's greedy output equals Steer's;
 * - a vector `llama-cvector-generator` makes, and one in repeng's layout (test/fixtures/repeng), load in
 *   Steer and steer Steer's generation exactly as they steer llama.cpp's.
 * Every steered comparison also checks that the output differs from the unsteered one, so a vector
 * that either side ignored would fail it.
 *
 * Prompts: Steer reads a prompt without SentencePiece's word-start space (see tokenizeText in the
 * engine), llama.cpp's tools add it. Steer is therefore given " " + the prompt llama.cpp gets, and the
 * first test checks that both read the same token ids.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { EngineClient } from "../../src/engine/client";
import type { GenerateResult, ModelInfo, SteeringEntry } from "../../src/engine/protocol";
import { loadControlVectorFile } from "../../src/steering/gguf/controlVectorFile";
import { type LlamaTools, llamaToolsOrSkip, runLlamaCompletion, runTool } from "../helpers/llamaTools";
import { runSteer } from "../helpers/steerCli";
import { repoRoot, trainedModelOrSkip, type trainedModels } from "../helpers/testModels";

interface ModelCase {
	readonly name: (typeof trainedModels)[number];
	/** `steer train --layers` for the Steer-trained vector (the default keeps one layer). */
	readonly trainLayers: string;
	/** Scale for the Steer-trained vector, and the layer range to restrict it to. */
	readonly scale: number;
	readonly range: readonly [number, number];
	/** Scale for cvector-generator's and repeng's unit-length directions. */
	readonly cvectorScale: number;
	/** The file in repeng's layout for this model (test/fixtures/repeng). */
	readonly repengFile: string;
}

const cases: ModelCase[] = [
	{
		name: "TinyStories-656K.f16.gguf",
		trainLayers: "1-1",
		scale: 3,
		range: [1, 1],
		cvectorScale: 16,
		repengFile: "TinyStories-656K-happy.gguf"
	},
	{
		name: "stories260K.gguf",
		trainLayers: "1-4",
		scale: 2,
		range: [2, 3],
		cvectorScale: 3,
		repengFile: "stories260K-happy.gguf"
	}
];

/** What llama.cpp reads; Steer gets " " + each (see the header). */
const prompts = [
	"Once upon a time, there was a little girl named Lily. One day,",
	"Once upon a time, there was a big dog named Max. Max liked to"
];
const maxTokens = 32;
const threads = 1;
const contextSize = 256;

/** cvector-generator's positive and negative prompts: one per line, pairs line by line. */
const cvectorPositive = [
	"Lily was very happy. She smiled and laughed.",
	"Tom got a new ball. He was so happy and jumped up and down.",
	"The sun was bright and warm. Mia felt happy and sang a song.",
	"Ben had a great day. He laughed with his friends."
];
const cvectorNegative = [
	"Lily was very sad. She cried and frowned.",
	"Tom lost his ball. He was so sad and sat down alone.",
	"The sky was dark and cold. Mia felt sad and did not sing.",
	"Ben had a bad day. He cried all alone."
];

/** Greedy, one thread, no chat template, nothing printed but the generated text. */
function completionArgs(model: string, prompt: string, steering: readonly string[]): string[] {
	return [
		"--model",
		model,
		"--prompt",
		prompt,
		"--n-predict",
		String(maxTokens),
		"--temp",
		"0",
		"--top-k",
		"1",
		"--seed",
		"1",
		"--threads",
		String(threads),
		"--threads-batch",
		String(threads),
		"--ctx-size",
		String(contextSize),
		"--n-gpu-layers",
		"0",
		"-no-cnv",
		"--no-display-prompt",
		"--no-warmup",
		...steering
	];
}

function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.on("error", reject);
		server.listen(0, "127.0.0.1", () => {
			const address = server.address();
			server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
		});
	});
}

for (const modelCase of cases) {
	describe(`llama.cpp interop on ${modelCase.name}`, function () {
		this.timeout(180_000);
		let tools: LlamaTools;
		let model: string;
		let folder: string;
		let engine: EngineClient;
		let info: ModelInfo;
		let steerVector: string;
		let cvector: string;

		const steerGenerate = async (prompt: string, steering: readonly SteeringEntry[]): Promise<GenerateResult> => {
			const result = await engine.generate({ prompt: " " + prompt, maxTokens, temperature: 0, steering });
			// Equal text then means equal tokens: neither side stopped early.
			assert.equal(result.stopReason, "maxTokens", `Steer stopped early (${result.stopReason}): ${result.text}`);
			assert.equal(result.tokens.length, maxTokens);
			return result;
		};

		const llamaGenerate = async (prompt: string, steering: readonly string[] = []): Promise<string> => {
			const result = await runLlamaCompletion(tools.completion, completionArgs(model, prompt, steering));
			assert.equal(result.code, 0, `llama-completion failed:\n${result.stderr.slice(-3000)}`);
			assert.doesNotMatch(result.stdout, /\[end of text\]/, "llama-completion stopped at an end token");
			// It prints the generated text, then "\n\n" when it is done.
			assert.ok(
				result.stdout.endsWith("\n\n"),
				`unexpected llama-completion output: ${JSON.stringify(result.stdout)}`
			);
			return result.stdout.slice(0, -2);
		};

		const vectorEntry = async (file: string, strength: number, layerRange?: readonly [number, number]) => {
			const { vector } = await loadControlVectorFile(file);
			return { vector, strength, layerRange } satisfies SteeringEntry;
		};

		before(async function () {
			tools = llamaToolsOrSkip(this);
			model = trainedModelOrSkip(this, modelCase.name);
			folder = mkdtempSync(path.join(tmpdir(), "steer-llama-interop-"));
			engine = new EngineClient({ steerRoot: repoRoot });
			info = await engine.loadModel({ modelPath: model, gpu: false, threads, contextSize });

			// A vector trained by Steer, the way a user trains one.
			steerVector = path.join(folder, "happy-steer.gguf");
			const trained = await runSteer([
				"train",
				"--model",
				model,
				"--dataset",
				path.join(repoRoot, "examples", "datasets", "happy-sad.jsonl"),
				"--method",
				"mean",
				"--layers",
				modelCase.trainLayers,
				"--out",
				steerVector,
				"--gpu",
				"false",
				"--threads",
				String(threads)
			]);
			assert.equal(trained.code, 0, trained.stderr);

			// A vector made by llama.cpp's own generator (mean of the differences; unit length per layer).
			const positive = path.join(folder, "positive.txt");
			const negative = path.join(folder, "negative.txt");
			writeFileSync(positive, cvectorPositive.join("\n") + "\n");
			writeFileSync(negative, cvectorNegative.join("\n") + "\n");
			cvector = path.join(folder, "happy-cvector.gguf");
			const generated = await runTool(tools.cvectorGenerator, [
				"--model",
				model,
				"--positive-file",
				positive,
				"--negative-file",
				negative,
				"--method",
				"mean",
				"--output",
				cvector,
				"--threads",
				String(threads),
				"--ctx-size",
				String(contextSize),
				"--n-gpu-layers",
				"0"
			]);
			assert.equal(generated.code, 0, `llama-cvector-generator failed:\n${generated.stderr.slice(-3000)}`);
		});

		after(async () => {
			await engine?.dispose();
			if (folder) rmSync(folder, { recursive: true, force: true });
		});

		it("reads the prompts as the same token ids as llama.cpp", async () => {
			for (const prompt of prompts) {
				const [captured] = await engine.capture({
					items: [{ text: " " + prompt }],
					layers: [0],
					positions: { select: "last" }
				});
				const result = await runLlamaCompletion(tools.completion, [
					...completionArgs(model, prompt, []),
					"--n-predict",
					"1",
					"--verbose-prompt"
				]);
				assert.equal(result.code, 0, result.stderr.slice(-3000));
				// --verbose-prompt logs the prompt as lines "<time> I   ID -> 'PIECE'".
				const llamaTokens = [...result.stderr.matchAll(/ I\s+(\d+) -> '/g)].map((m) => Number(m[1]));
				assert.deepEqual(llamaTokens, captured!.tokens, `prompt ${JSON.stringify(prompt)}`);
			}
		});

		it("generates the same greedy tokens unsteered", async () => {
			for (const prompt of prompts)
				assert.equal(await llamaGenerate(prompt), (await steerGenerate(prompt, [])).text);
		});

		it("a Steer-trained vector steers llama-completion exactly as it steers Steer (steer generate --vector FILE:S)", async () => {
			for (const prompt of prompts) {
				const result = await runSteer([
					"generate",
					"--model",
					model,
					"--prompt",
					" " + prompt,
					"--vector",
					`${steerVector}:${modelCase.scale}`,
					"--max-tokens",
					String(maxTokens),
					"--temperature",
					"0",
					"--gpu",
					"false",
					"--threads",
					String(threads),
					"--json"
				]);
				assert.equal(result.code, 0, result.stderr);
				const steered = JSON.parse(result.stdout) as { text: string; tokens: number[]; stopReason: string };
				assert.equal(steered.stopReason, "maxTokens");
				const llama = await llamaGenerate(prompt, [
					"--control-vector-scaled",
					`${steerVector}:${modelCase.scale}`
				]);
				assert.equal(llama, steered.text, `prompt ${JSON.stringify(prompt)}`);
				const unsteered = await steerGenerate(prompt, []);
				assert.notDeepEqual(steered.tokens, unsteered.tokens, "the vector did not change Steer's output");
			}
		});

		it("with --control-vector-layer-range A B it equals Steer's layer range [A, B]", async () => {
			const [from, to] = modelCase.range;
			const entry = await vectorEntry(steerVector, modelCase.scale, modelCase.range);
			assert.ok(
				[...entry.vector.directions.keys()].some((layer) => layer < from || layer > to) || info.nLayer === 2,
				"the trained vector should reach beyond the range, so that the range matters"
			);
			for (const prompt of prompts) {
				const steered = await steerGenerate(prompt, [entry]);
				const llama = await llamaGenerate(prompt, [
					"--control-vector-scaled",
					`${steerVector}:${modelCase.scale}`,
					"--control-vector-layer-range",
					String(from),
					String(to)
				]);
				assert.equal(llama, steered.text, `prompt ${JSON.stringify(prompt)}`);
				assert.notDeepEqual(steered.tokens, (await steerGenerate(prompt, [])).tokens);
			}
		});

		it("llama-server applies the vector and the layer range the same way, token ids included", async () => {
			const [from, to] = modelCase.range;
			const port = await freePort();
			const { spawn } = await import("node:child_process");
			const server = spawn(
				tools.server,
				[
					"--model",
					model,
					"--host",
					"127.0.0.1",
					"--port",
					String(port),
					"--threads",
					String(threads),
					"--threads-batch",
					String(threads),
					"--ctx-size",
					String(contextSize),
					"--parallel",
					"1",
					"--n-gpu-layers",
					"0",
					"--no-warmup",
					"--control-vector-scaled",
					`${steerVector}:${modelCase.scale}`,
					"--control-vector-layer-range",
					String(from),
					String(to)
				],
				{ stdio: ["ignore", "ignore", "pipe"] }
			);
			let log = "";
			server.stderr.on("data", (chunk: Buffer) => (log += chunk.toString("utf8")));
			try {
				const url = `http://127.0.0.1:${port}`;
				const deadline = Date.now() + 60_000;
				for (;;) {
					const health = await fetch(`${url}/health`).catch(() => undefined);
					if (health?.ok) break;
					assert.ok(server.exitCode === null, `llama-server exited:\n${log.slice(-3000)}`);
					assert.ok(Date.now() < deadline, `llama-server did not start:\n${log.slice(-3000)}`);
					await new Promise((resolve) => setTimeout(resolve, 100));
				}
				const entry = await vectorEntry(steerVector, modelCase.scale, modelCase.range);
				for (const prompt of prompts) {
					const [captured] = await engine.capture({
						items: [{ text: " " + prompt }],
						layers: [0],
						positions: { select: "last" }
					});
					const response = await fetch(`${url}/completion`, {
						method: "POST",
						headers: { "content-type": "application/json" },
						body: JSON.stringify({
							prompt: captured!.tokens,
							n_predict: maxTokens,
							temperature: 0,
							top_k: 1,
							seed: 1,
							cache_prompt: false,
							return_tokens: true
						})
					});
					const body = await response.text();
					assert.ok(response.ok, `llama-server answered ${response.status}: ${body}`);
					const answer = JSON.parse(body) as { content: string; tokens: number[] };
					const steered = await steerGenerate(prompt, [entry]);
					assert.deepEqual(answer.tokens, steered.tokens, `prompt ${JSON.stringify(prompt)}`);
					assert.equal(answer.content, steered.text);
				}
			} finally {
				server.kill();
			}
		});

		it("a vector from llama-cvector-generator loads in Steer and steers it exactly as it steers llama.cpp", async () => {
			const file = await loadControlVectorFile(cvector);
			assert.equal(file.vector.nEmbd, info.nEmbd);
			assert.deepEqual(
				[...file.vector.directions.keys()].sort((a, b) => a - b),
				Array.from({ length: info.nLayer - 1 }, (_, i) => i + 1),
				"cvector-generator writes directions for layers 1..n_layer-1"
			);
			for (const direction of file.vector.directions.values()) {
				const norm = Math.hypot(...direction);
				assert.ok(Math.abs(norm - 1) < 1e-4, `cvector-generator's directions are unit length, got ${norm}`);
			}
			const entry = await vectorEntry(cvector, modelCase.cvectorScale);
			for (const prompt of prompts) {
				const steered = await steerGenerate(prompt, [entry]);
				const llama = await llamaGenerate(prompt, [
					"--control-vector-scaled",
					`${cvector}:${modelCase.cvectorScale}`
				]);
				assert.equal(llama, steered.text, `prompt ${JSON.stringify(prompt)}`);
				assert.notDeepEqual(steered.tokens, (await steerGenerate(prompt, [])).tokens);
			}
		});

		it("a vector in repeng's layout loads in Steer and steers it exactly as it steers llama.cpp", async () => {
			const repeng = path.join(repoRoot, "test", "fixtures", "repeng", modelCase.repengFile);
			const { vector } = await loadControlVectorFile(repeng);
			assert.equal(vector.nEmbd, info.nEmbd);
			const entry = { vector, strength: modelCase.cvectorScale } satisfies SteeringEntry;
			for (const prompt of prompts) {
				const steered = await steerGenerate(prompt, [entry]);
				const llama = await llamaGenerate(prompt, [
					"--control-vector-scaled",
					`${repeng}:${modelCase.cvectorScale}`
				]);
				assert.equal(llama, steered.text, `prompt ${JSON.stringify(prompt)}`);
				assert.notDeepEqual(steered.tokens, (await steerGenerate(prompt, [])).tokens);
			}
		});
	});
}
