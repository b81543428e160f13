/**
 * `steer traitpairs` end to end on SmolLM2-135M-Instruct: the model answers each question under a system
 * message asking for a behaviour and under one asking for its opposite, and the file it writes is a
 * dataset whose positive answers show the behaviour and whose negatives do not. A model without a chat
 * template is refused, as are descriptions that cannot contrast.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { loadDataset } from "../../src/datasets";
import { runSteer } from "../helpers/steerCli";
import { cachedModelOrSkip, trainedModelOrSkip } from "../helpers/testModels";

const questions = ["Why is the sky blue?", "How do I make a cup of tea?", "What should I pack for a day at the beach?"];
const pirateWords = /\b(arr+|matey|ye|yer|pirate|pirates|ahoy|o'|sailin'|ship|treasure|aye)\b/gi;

describe("steer traitpairs (CLI)", function () {
	this.timeout(120_000);
	let folder: string;
	let questionsFile: string;
	const common = ["--gpu", "false", "--threads", "1"];

	before(() => {
		folder = mkdtempSync(path.join(tmpdir(), "steer-cli-traitpairs-"));
		questionsFile = path.join(folder, "questions.txt");
		writeFileSync(questionsFile, questions.join("\n") + "\n");
	});

	after(() => {
		if (folder) rmSync(folder, { recursive: true, force: true });
	});

	it("writes pairs whose positive answers show the behaviour asked for and whose negatives do not", async function () {
		const model = cachedModelOrSkip(this, "SmolLM2-135M-Instruct.Q4_1.gguf");
		const out = path.join(folder, "pirate.jsonl");
		const result = await runSteer([
			"traitpairs",
			"--model",
			model,
			"--trait",
			"You are a pirate. You always talk like a pirate, saying arr and matey.",
			"--opposite",
			"You answer plainly and politely.",
			"--questions",
			questionsFile,
			"--max-tokens",
			"40",
			"--out",
			out,
			"--json",
			...common
		]);
		assert.equal(result.code, 0, result.stderr);
		const report = JSON.parse(result.stdout);
		const { pairs } = await loadDataset(out);
		assert.equal(pairs.length, report.pairs);
		assert.equal(pairs.length + report.skipped.length, questions.length);
		assert.ok(pairs.length >= 2, `pairs: ${pairs.length}`);
		assert.deepEqual(
			pairs.map((pair) => pair.prompt),
			questions.filter((question) => !report.skipped.includes(question))
		);
		const count = (text: string) => text.match(pirateWords)?.length ?? 0;
		const positive = pairs.reduce((sum, pair) => sum + count(pair.positive), 0);
		const negative = pairs.reduce((sum, pair) => sum + count(pair.negative), 0);
		console.log(`      pirate words: ${positive} in the positive answers, ${negative} in the negative ones`);
		assert.ok(positive >= 2 * negative + 2, `pirate words ${positive} (positive) against ${negative} (negative)`);
		assert.ok(
			pairs.filter((pair) => count(pair.positive) > 0).length >= 2,
			"most positive answers talk like a pirate"
		);
	});

	it("refuses a model without a chat template, and descriptions that cannot contrast, in one line", async function () {
		const storyModel = trainedModelOrSkip(this, "stories260K.gguf");
		const noTemplate = await runSteer([
			"traitpairs",
			"--model",
			storyModel,
			"--trait",
			"You answer happily.",
			"--opposite",
			"You answer sadly.",
			"--out",
			path.join(folder, "no.jsonl"),
			...common
		]);
		assert.equal(noTemplate.code, 1);
		assert.match(noTemplate.stderr, /has no chat template: writing pairs from a behaviour needs an instruct model/);
		const same = await runSteer([
			"traitpairs",
			"--model",
			storyModel,
			"--trait",
			"A.",
			"--opposite",
			" A. ",
			"--out",
			"x.jsonl"
		]);
		assert.equal(same.code, 2);
		assert.match(same.stderr, /--trait and --opposite are the same/);
		const badOut = await runSteer([
			"traitpairs",
			"--model",
			storyModel,
			"--trait",
			"A.",
			"--opposite",
			"B.",
			"--out",
			"x.txt"
		]);
		assert.equal(badOut.code, 2);
		assert.match(badOut.stderr, /--out must end in \.jsonl or \.csv/);
	});
});
