/**
 * Chat on the reference instruct model: generation in chat mode renders the user's message in the
 * model's own template and answers it (the raw-text path cannot), steering reaches chat answers, and
 * `steer train` makes conversations of a dataset by itself on a model with a chat template. The
 * first switch-on of steering passes the probe that refuses a model whose graph ignores vectors.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { EngineClient } from "../../src/engine/client";
import type { EngineError } from "../../src/engine/errors";
import type { ModelInfo } from "../../src/engine/protocol";
import { cachedModelOrSkip, randomVector, repoRoot } from "../helpers/testModels";
import { runSteer } from "../helpers/steerCli";

const question = "What is the capital of France?";

describe("chat on SmolLM2-135M-Instruct", function () {
	this.timeout(180_000);
	let modelPath: string;
	let engine: EngineClient;
	let info: ModelInfo;
	let folder: string;

	before(async function () {
		modelPath = cachedModelOrSkip(this, "SmolLM2-135M-Instruct.Q4_1.gguf");
		engine = new EngineClient({ steerRoot: repoRoot });
		info = await engine.loadModel({ modelPath, gpu: false, threads: 1, contextSize: 512 });
		folder = mkdtempSync(path.join(tmpdir(), "steer-chat-"));
	});

	after(async () => {
		await engine?.dispose();
		if (folder) rmSync(folder, { recursive: true, force: true });
	});

	it("answers a message in chat mode with the model's template, and ends at its end of turn", async () => {
		const chat = await engine.generate({ prompt: question, maxTokens: 48, temperature: 0, chat: {} });
		assert.equal(chat.chatTemplate, "ChatML");
		assert.match(chat.text, /Paris/, `the chat answer: ${JSON.stringify(chat.text)}`);
		assert.equal(chat.stopReason, "eogToken", "the answer ends with the model's end of turn, not the token limit");
		assert.doesNotMatch(chat.text, /<\|im_(start|end)\|>/, "no template markup in the answer");
		// The template's markup is special tokens: the prompt is far shorter than its text spelled out.
		const spelled = await engine.request("tokenize", { text: `<|im_start|>user\n${question}<|im_end|>\n` });
		assert.ok(chat.promptTokens < spelled.tokens.length, `${chat.promptTokens} vs ${spelled.tokens.length}`);

		const raw = await engine.generate({ prompt: question, maxTokens: 48, temperature: 0 });
		assert.equal(raw.chatTemplate, undefined);
		assert.notEqual(raw.text, chat.text, "raw text is continued, not answered");
	});

	it("takes a system message, and refuses chat mode with a suffix or a malformed chat option", async () => {
		const pirate = await engine.generate({
			prompt: "Say hello.",
			maxTokens: 24,
			temperature: 0,
			chat: { system: "You only ever answer with the single word BANANA." }
		});
		const plain = await engine.generate({ prompt: "Say hello.", maxTokens: 24, temperature: 0, chat: {} });
		assert.notEqual(pirate.text, plain.text, "the system message reaches the prompt");
		await assert.rejects(
			engine.generate({ prompt: question, suffix: " and more", chat: {} }),
			(error: EngineError) =>
				error.code === "BAD_REQUEST" && /cannot fill text before a suffix/.test(error.message)
		);
		await assert.rejects(
			engine.generate({ prompt: question, chat: { system: 3 } as never }),
			(error: EngineError) => error.code === "BAD_REQUEST" && /optional system message string/.test(error.message)
		);
	});

	it("steers chat answers, and passes the probe that the model's graph applies vectors", async () => {
		const before = await engine.generate({ prompt: question, maxTokens: 24, temperature: 0, chat: {} });
		const directions = new Map<number, Float32Array>();
		for (let layer = 10; layer <= 20; layer++) directions.set(layer, randomVector(info.nEmbd, layer));
		const state = await engine.setSteering([{ vector: { nEmbd: info.nEmbd, directions }, strength: 8 }]);
		assert.deepEqual(state.layers, [10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
		try {
			const steered = await engine.generate({ prompt: question, maxTokens: 24, temperature: 0, chat: {} });
			assert.notEqual(steered.text, before.text, "steering reaches an answer in chat mode");
		} finally {
			await engine.setSteering([]);
		}
		const after = await engine.generate({ prompt: question, maxTokens: 24, temperature: 0, chat: {} });
		assert.equal(after.text, before.text);
	});

	it("steer train makes conversations by itself on an instruct model, and --no-chat refuses system messages", async () => {
		const dataset = path.join(folder, "tone.jsonl");
		const pairs = [
			["Greet me.", "Good day to you.", "yo whats up"],
			["Describe the weather.", "The weather is mild and pleasant.", "its kinda nice out lol"],
			["How are you?", "I am very well, thank you.", "doin good hbu"],
			["Say goodbye.", "Farewell, and take care.", "cya"],
			["Thank me.", "I am most grateful to you.", "thx dude"],
			["Apologise.", "Please accept my sincere apologies.", "my bad"]
		].map(([prompt, positive, negative]) => ({ system: "Reply in one sentence.", prompt, positive, negative }));
		writeFileSync(dataset, pairs.map((pair) => JSON.stringify(pair)).join("\n") + "\n");

		const out = path.join(folder, "tone.gguf");
		const trained = await runSteer([
			"train",
			"--model",
			modelPath,
			"--dataset",
			dataset,
			"--out",
			out,
			"--threads",
			"1",
			"--no-calibrate"
		]);
		assert.equal(trained.code, 0, trained.stderr);
		assert.match(trained.stderr, /pairs wrapped in the ChatML chat template/);

		const refused = await runSteer([
			"train",
			"--model",
			modelPath,
			"--dataset",
			dataset,
			"--out",
			path.join(folder, "raw.gguf"),
			"--threads",
			"1",
			"--no-chat"
		]);
		assert.equal(refused.code, 2, refused.stderr);
		assert.match(refused.stderr, /6 of 6 pairs have a "system" message, which only a chat template can carry/);
	});
});
