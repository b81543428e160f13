/**
 * Where generation ends, and that special-token text never reaches the user. TinyStories-656K ends its
 * stories by spelling "<|end_story|>" (its EOS token's text) out in four ordinary tokens, and its EOS is
 * not in llama.cpp's end-of-generation set (llama.cpp warns so at load).
 */
import assert from "node:assert/strict";
import { EngineClient } from "../../src/engine/client";
import { runSteer } from "../helpers/steerCli";
import { repoRoot, trainedModelOrSkip } from "../helpers/testModels";

const prompt = "Once upon a time, there was a little boy named Tom.";

describe("generation ends at the model's end marker, which is never shown", function () {
	this.timeout(120_000);
	let engine: EngineClient;
	let modelPath: string;

	before(async function () {
		modelPath = trainedModelOrSkip(this, "TinyStories-656K.f16.gguf");
		engine = new EngineClient({ steerRoot: repoRoot });
		await engine.loadModel({ modelPath, gpu: false, threads: 1, contextSize: 512 });
	});
	after(async () => engine?.dispose());

	it("greedy generation stops at <|end_story|>, says so, and neither its text nor its stream carries it", async () => {
		const streamed: string[] = [];
		const result = await engine.generate(
			{ prompt, maxTokens: 128, temperature: 0 },
			{ onProgress: ({ text }) => streamed.push(text) }
		);
		assert.equal(result.stopReason, "eogToken");
		assert.ok(result.tokens.length < 128, `ran to maxTokens (${result.tokens.length} tokens)`);
		assert.ok(!result.text.includes("<|"), `special-token text in ${JSON.stringify(result.text)}`);
		assert.ok(
			!streamed.join("").includes("<|"),
			`special-token text streamed: ${JSON.stringify(streamed.join(""))}`
		);
		assert.equal(streamed.join(""), result.text);
	});

	it("a story that runs on before its end marker keeps its text, cut where the marker starts", async () => {
		const result = await engine.generate({ prompt: "Once upon a time", maxTokens: 400, temperature: 0 });
		assert.equal(result.stopReason, "eogToken");
		assert.ok(result.tokens.length < 400, `ran to maxTokens (${result.tokens.length} tokens)`);
		assert.ok(result.text.length > 100, `only ${JSON.stringify(result.text)}`);
		assert.ok(
			!result.text.includes("<|") && !result.text.includes("end_story"),
			`marker text in ${JSON.stringify(result.text.slice(-40))}`
		);
		assert.match(result.text, /[.!?"]$/, "the text should end where the story did");
	});

	it("reports maxTokens when the budget runs out first, and a caller's stop text as stopSequence", async () => {
		const short = await engine.generate({ prompt: "Once upon a time", maxTokens: 5, temperature: 0 });
		assert.equal(short.stopReason, "maxTokens");
		assert.equal(short.tokens.length, 5);
		const stopped = await engine.generate({
			prompt: "Once upon a time",
			maxTokens: 100,
			temperature: 0,
			stop: ["Lily"]
		});
		assert.equal(stopped.stopReason, "stopSequence");
		assert.ok(!stopped.text.includes("Lily"));
	});

	it("the CLI prints no special-token text and says why the text ended", async () => {
		const plain = await runSteer([
			"generate",
			"--model",
			modelPath,
			"--prompt",
			prompt,
			"--temperature",
			"0",
			"--gpu",
			"false",
			"--threads",
			"1"
		]);
		assert.equal(plain.code, 0, plain.stderr);
		assert.ok(!plain.stdout.includes("<|"), `stdout: ${JSON.stringify(plain.stdout)}`);
		assert.match(plain.stderr, /the model ended the text/);
		const json = await runSteer([
			"generate",
			"--model",
			modelPath,
			"--prompt",
			prompt,
			"--temperature",
			"0",
			"--gpu",
			"false",
			"--threads",
			"1",
			"--json"
		]);
		assert.equal(json.code, 0, json.stderr);
		const result = JSON.parse(json.stdout) as { text: string; stopReason: string };
		assert.ok(!result.text.includes("<|"), `text: ${JSON.stringify(result.text)}`);
		assert.equal(result.stopReason, "eogToken");
	});
});
