/**
 * `steer selflabel` end to end through the built CLI on TinyStories-656K: the model labels its own
 * samples, the file it writes is a dataset that `steer train` turns into a vector file, the same seed
 * writes the same file, and impossible requests fail before the model is loaded.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { loadDataset } from "../../src/datasets";
import { loadTrainedVector } from "../../src/steering/pipeline/trainedVectorFile";
import { runSteer } from "../helpers/steerCli";
import { trainedModelOrSkip } from "../helpers/testModels";

const steer = runSteer;

const prompts = [
	"Once upon a time, there was a little girl named Lily. One day,",
	"Tom and his dog went to the park. The dog",
	"The little bird sat on the tree. It"
];

describe("steer selflabel (CLI)", function () {
	this.timeout(60_000);
	let model: string;
	let folder: string;
	let promptsFile: string;
	const common = ["--gpu", "false", "--threads", "1"];

	before(function () {
		model = trainedModelOrSkip(this, "TinyStories-656K.f16.gguf");
		folder = mkdtempSync(path.join(tmpdir(), "steer-cli-selflabel-"));
		promptsFile = path.join(folder, "prompts.txt");
		// A blank line in the middle: prompts are the non-empty lines.
		writeFileSync(promptsFile, `${prompts[0]}\n\n${prompts[1]}\n${prompts[2]}\n`);
	});

	after(() => {
		if (folder) rmSync(folder, { recursive: true, force: true });
	});

	it("writes a self-labelled dataset that steer train turns into a vector file, the same on every run", async () => {
		const dataset = path.join(folder, "happy.jsonl");
		const selfLabel = [
			"selflabel",
			"--model",
			model,
			"--prompts",
			promptsFile,
			"--trait",
			"happy",
			"--samples",
			"6",
			"--keep",
			"2",
			"--max-tokens",
			"32",
			"--seed",
			"3",
			"--json",
			...common
		];
		const labelled = await steer([...selfLabel, "--out", dataset]);
		assert.equal(labelled.code, 0, labelled.stderr);
		const report = JSON.parse(labelled.stdout);
		assert.equal(report.prompts, 3);
		assert.equal(report.scores.length, 3);
		for (const scores of report.scores as number[][]) {
			assert.ok(scores.length >= 4 && scores.length <= 6, `usable samples: ${scores.length}`);
			for (const score of scores) assert.ok(score > 0 && score < 1, `judge score ${score}`);
			for (let i = 1; i < scores.length; i++)
				assert.ok(scores[i - 1]! >= scores[i]!, "scores are sorted, highest first");
		}
		assert.equal(
			report.pairs,
			(report.keptPerPrompt as number[]).reduce((sum, kept) => sum + kept, 0)
		);
		assert.ok(report.pairs >= 3, `pairs: ${report.pairs}`);

		const { pairs } = await loadDataset(dataset);
		assert.equal(pairs.length, report.pairs);
		let index = 0;
		for (const [p, kept] of (report.keptPerPrompt as number[]).entries()) {
			const scores = report.scores[p] as number[];
			for (let rank = 0; rank < kept; rank++) {
				const pair = pairs[index++]!;
				assert.equal(pair.prompt, prompts[p]);
				assert.notEqual(pair.positive, pair.negative);
				// The label records the two judge scores: the rank-th best against the rank-th worst.
				const [, best, worst] = /^happy: ([\d.]+) vs ([\d.]+)$/.exec(pair.label ?? "") ?? [];
				assert.equal(best, scores[rank]!.toFixed(3));
				assert.equal(worst, scores[scores.length - 1 - rank]!.toFixed(3));
				assert.ok(Number(best) > Number(worst));
			}
		}

		const again = path.join(folder, "again.jsonl");
		const repeated = await steer([...selfLabel, "--out", again]);
		assert.equal(repeated.code, 0, repeated.stderr);
		assert.equal(
			readFileSync(again, "utf8"),
			readFileSync(dataset, "utf8"),
			"the same seed must write the same dataset"
		);

		const vectorFile = path.join(folder, "happy.gguf");
		const trained = await steer([
			"train",
			"--model",
			model,
			"--dataset",
			dataset,
			"--out",
			vectorFile,
			"--json",
			...common
		]);
		assert.equal(trained.code, 0, trained.stderr);
		assert.equal(JSON.parse(trained.stdout).pairs, pairs.length);
		const vector = await loadTrainedVector(vectorFile);
		assert.equal(vector.pairCount, pairs.length);
		assert.deepEqual(vector.suggestedLayers, [1]);
		const direction = vector.vector.directions.get(1);
		assert.ok(
			direction && direction.length === 128 && direction.some((value) => value !== 0),
			"layer 1 holds a non-zero 128-wide direction"
		);
	});

	it("refuses impossible requests in one line, before loading the model", async () => {
		const out = path.join(folder, "never.jsonl");
		const keep = await steer([
			"selflabel",
			"--model",
			model,
			"--prompts",
			promptsFile,
			"--trait",
			"happy",
			"--samples",
			"4",
			"--keep",
			"3",
			"--out",
			out
		]);
		assert.equal(keep.code, 2);
		assert.match(keep.stderr, /^steer: error: --keep 3 needs --samples 6 or more/);
		const format = await steer([
			"selflabel",
			"--model",
			model,
			"--prompts",
			promptsFile,
			"--trait",
			"happy",
			"--out",
			path.join(folder, "pairs.txt")
		]);
		assert.equal(format.code, 2);
		assert.match(format.stderr, /--out must end in \.jsonl or \.csv/);
		const greedy = await steer([
			"selflabel",
			"--model",
			model,
			"--prompts",
			promptsFile,
			"--trait",
			"happy",
			"--temperature",
			"0",
			"--out",
			out
		]);
		assert.equal(greedy.code, 2);
		assert.match(greedy.stderr, /--temperature must be above 0/);
		const missing = await steer([
			"selflabel",
			"--model",
			model,
			"--prompts",
			path.join(folder, "nope.txt"),
			"--trait",
			"happy",
			"--out",
			out,
			...common
		]);
		assert.equal(missing.code, 1);
		assert.match(missing.stderr, /^steer: error: --prompts file .*nope\.txt does not exist\n$/);
	});
});
