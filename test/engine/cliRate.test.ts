/**
 * `steer rate`, AxBench's evaluation, as a user runs it: a plain-text model judged by itself and by the
 * same file in an engine of its own (the two must agree exactly), and SmolLM2-135M-Instruct answering in
 * its template with the prompt-only baseline. Whether the judge is any good is a property of the judge
 * model (docs/steering.md, "Measuring": SmolLM2 judges near chance); these tests check the measurement.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { writeControlVector } from "../../src/steering/gguf/controlVector";
import { GgufValue } from "../../src/steering/gguf/values";
import { harmonicScore } from "../../src/steering/evaluation/judgeRatings";
import type { RatedRow } from "../../src/steering/pipeline/rateSteering";
import { runSteer } from "../helpers/steerCli";
import { cachedModelOrSkip, randomVector, trainedModelOrSkip } from "../helpers/testModels";

interface RateJson {
	concept: string;
	chat: boolean;
	judge: string;
	judgeForm: "chat" | "plain";
	system?: string;
	systemFrom?: "option" | "file";
	rows: RatedRow[];
}

/** Every sample's ratings are digits with probabilities summing to 1, and its score their harmonic mean. */
function checkRows(rows: readonly RatedRow[], samplesPerRow: number): void {
	for (const row of rows) {
		assert.equal(row.samples.length, samplesPerRow, row.condition);
		for (const sample of row.samples) {
			const ratings = sample.ratings;
			for (const rating of Object.values(ratings)) {
				assert.ok([0, 1, 2].includes(rating.rating));
				assert.ok(Math.abs(rating.probabilities.reduce((a, b) => a + b, 0) - 1) < 1e-9);
				assert.equal(rating.probabilities.indexOf(Math.max(...rating.probabilities)), rating.rating);
			}
			assert.equal(
				sample.score,
				harmonicScore({
					concept: ratings.concept.rating,
					instruction: ratings.instruction.rating,
					fluency: ratings.fluency.rating
				})
			);
		}
		const mean = row.samples.reduce((sum, sample) => sum + sample.score, 0) / row.samples.length;
		assert.ok(Math.abs(row.score - mean) < 1e-12);
	}
}

/**
 * randomVector(nEmbd, seed) × `scale` at `layer`, written as a control-vector file; returns its path.
 * `calibratedUnder`: the file says its 1.0 was calibrated in chat under that system message.
 */
function writeRandomVector(
	file: string,
	nEmbd: number,
	layer: number,
	seed: number,
	scale: number,
	calibratedUnder?: string
): string {
	const direction = randomVector(nEmbd, seed).map((v) => v * scale);
	const curve = { chosen: 1, points: [], chat: { system: calibratedUnder } };
	writeFileSync(
		file,
		writeControlVector(
			{ nEmbd, directions: new Map([[layer, direction]]) },
			{
				modelHint: "llama",
				...(calibratedUnder === undefined
					? {}
					: { extraMetadata: [["steer.calibration", GgufValue.string(JSON.stringify(curve))]] })
			}
		)
	);
	return file;
}

/**
 * `steer rate` on SmolLM2 as these tests run it: greedy (so one seed is all there is), the sea as the
 * concept, JSON out; `extra` adds to or sets the rest (--max-tokens, --judge-plain, --system).
 */
function rateGreedy(modelPath: string, vectorFile: string, prompts: string, ...extra: string[]) {
	return runSteer([
		...["rate", "--model", modelPath, "--gpu", "false", "--threads", "1", "--context-size", "1024"],
		...["--vector", vectorFile, "--prompts", prompts, "--concept", "the sea", "--seeds", "1"],
		...["--temperature", "0", "--json", ...extra]
	]);
}

describe("steer rate", function () {
	this.timeout(300_000);
	let dir: string;
	before(() => {
		dir = mkdtempSync(path.join(os.tmpdir(), "steer-rate-"));
	});
	after(() => rmSync(dir, { recursive: true, force: true }));

	it("TinyStories-656K: rated by itself, and identically by the same file as --judge-model", async function () {
		const modelPath = trainedModelOrSkip(this, "TinyStories-656K.f16.gguf");
		const vectorFile = writeRandomVector(path.join(dir, "tiny.gguf"), 128, 1, 3, 40);
		const prompts = path.join(dir, "stories.txt");
		writeFileSync(prompts, "Once upon a time\nOne day,\n");
		const args = [
			...["rate", "--model", modelPath, "--gpu", "false", "--threads", "1", "--context-size", "512"],
			...["--vector", vectorFile, "--prompts", prompts, "--concept", "the sea", "--seeds", "2"],
			...["--max-tokens", "24", "--json"]
		];
		const self = await runSteer(args);
		assert.equal(self.code, 0, self.stderr);
		const selfJson = JSON.parse(self.stdout) as RateJson;
		assert.equal(selfJson.chat, false);
		assert.equal(selfJson.judgeForm, "plain");
		assert.deepEqual(
			selfJson.rows.map((row) => row.condition),
			["unsteered", "steered"],
			"no prompt-only baseline for a model that answers no requests"
		);
		checkRows(selfJson.rows, 4);
		const [unsteered, steered] = selfJson.rows;
		assert.notDeepEqual(
			unsteered!.samples.map((sample) => sample.text),
			steered!.samples.map((sample) => sample.text),
			"the vector changed the answers"
		);

		const separate = await runSteer([...args, "--judge-model", modelPath]);
		assert.equal(separate.code, 0, separate.stderr);
		const separateJson = JSON.parse(separate.stdout) as RateJson;
		assert.equal(separateJson.judge, modelPath);
		for (const [index, row] of selfJson.rows.entries())
			row.samples.forEach((sample, s) => {
				const other = separateJson.rows[index]!.samples[s]!;
				assert.equal(other.text, sample.text);
				assert.equal(other.score, sample.score);
				for (const criterion of ["concept", "instruction", "fluency"] as const) {
					assert.equal(other.ratings[criterion].rating, sample.ratings[criterion].rating, criterion);
					for (const [k, p] of sample.ratings[criterion].probabilities.entries())
						assert.ok(Math.abs(other.ratings[criterion].probabilities[k]! - p) < 1e-5, criterion);
				}
			});
	});

	it("SmolLM2-135M-Instruct: answers in its template, with the concept asked for in the request as a third row", async function () {
		const modelPath = cachedModelOrSkip(this, "SmolLM2-135M-Instruct.Q4_1.gguf");
		const vectorFile = writeRandomVector(path.join(dir, "smol.gguf"), 576, 20, 5, 30);
		const prompts = path.join(dir, "requests.txt");
		writeFileSync(prompts, "Write two sentences about a walk.\n");
		const { code, stdout, stderr } = await rateGreedy(modelPath, vectorFile, prompts, "--max-tokens", "40");
		assert.equal(code, 0, stderr);
		const json = JSON.parse(stdout) as RateJson;
		assert.equal(json.chat, true);
		assert.equal(json.judgeForm, "chat");
		assert.deepEqual(
			json.rows.map((row) => row.condition),
			["unsteered", "steered", "prompted"]
		);
		checkRows(json.rows, 1);
		const [unsteered, , prompted] = json.rows;
		// Asked for the sea, the model writes about it; unasked, greedy, it does not.
		assert.ok(
			prompted!.samples.every((sample) => /\b(sea|ocean|beach|waves?)\b/i.test(sample.text)),
			prompted!.samples[0]!.text
		);
		assert.ok(
			unsteered!.samples.every((sample) => !/\bsea\b/i.test(sample.text)),
			unsteered!.samples[0]!.text
		);
	});

	it("SmolLM2-135M-Instruct: --judge-plain asks the judge in plain text while the answers stay in the template", async function () {
		const modelPath = cachedModelOrSkip(this, "SmolLM2-135M-Instruct.Q4_1.gguf");
		const vectorFile = writeRandomVector(path.join(dir, "smol-plain.gguf"), 576, 20, 5, 30);
		const prompts = path.join(dir, "plain-requests.txt");
		writeFileSync(prompts, "Name a colour.\n");
		const plain = ["--judge-plain", "--max-tokens", "8"];
		const { code, stdout, stderr } = await rateGreedy(modelPath, vectorFile, prompts, ...plain);
		assert.equal(code, 0, stderr);
		const json = JSON.parse(stdout) as RateJson;
		assert.equal(json.chat, true);
		assert.equal(json.judgeForm, "plain");
		assert.equal(json.system, undefined);
		checkRows(json.rows, 1);

		// --system: the same requests answered under a system message (greedy, so any change is its doing).
		const system = "You are a pirate. Always answer like a pirate, in pirate speech.";
		const withSystem = await rateGreedy(modelPath, vectorFile, prompts, ...plain, "--system", system);
		assert.equal(withSystem.code, 0, withSystem.stderr);
		const systemJson = JSON.parse(withSystem.stdout) as RateJson;
		assert.equal(systemJson.system, system);
		assert.equal(systemJson.systemFrom, "option");
		checkRows(systemJson.rows, 1);
		assert.notEqual(systemJson.rows[0]!.samples[0]!.text, json.rows[0]!.samples[0]!.text);

		// A file calibrated under a system message is rated under it without --system: the same greedy answers.
		const calibratedFile = writeRandomVector(path.join(dir, "smol-pirate.gguf"), 576, 20, 5, 30, system);
		const fromFile = await rateGreedy(modelPath, calibratedFile, prompts, ...plain);
		assert.equal(fromFile.code, 0, fromFile.stderr);
		const fileJson = JSON.parse(fromFile.stdout) as RateJson;
		assert.equal(fileJson.system, system);
		assert.equal(fileJson.systemFrom, "file");
		for (const [index, row] of fileJson.rows.entries())
			assert.equal(row.samples[0]!.text, systemJson.rows[index]!.samples[0]!.text, row.condition);
	});

	it("fails with one line for bad input: concept, judge model, chat and system options, scale 0", async function () {
		const modelPath = trainedModelOrSkip(this, "TinyStories-656K.f16.gguf");
		const vectorFile = writeRandomVector(path.join(dir, "one.gguf"), 128, 1, 3, 1);
		const prompts = path.join(dir, "one.txt");
		writeFileSync(prompts, "Once upon a time\n");
		const base = ["rate", "--model", modelPath, "--gpu", "false", "--threads", "1", "--vector", vectorFile];
		const cases: [string[], RegExp, number][] = [
			[[...base, "--prompts", prompts], /--concept is required/, 2],
			[[...base, "--prompts", prompts, "--concept", " "], /--concept needs the concept to rate/, 2],
			[[...base, "--prompts", prompts, "--concept", "the sea\nand sand"], /--concept must be a single line/, 2],
			[
				[...base, "--prompts", prompts, "--concept", "the sea", "--judge-model", ""],
				/--judge-model needs a model file/,
				2
			],
			[[...base, "--prompts", prompts, "--concept", "the sea", "--chat", "--no-chat"], /contradict/, 2],
			[
				[...base, "--prompts", prompts, "--concept", "the sea", "--system", "Be brief.", "--no-chat"],
				/--system needs the chat template, which --no-chat turns off/,
				2
			],
			[
				[...base, "--prompts", prompts, "--concept", "the sea", "--system", "  "],
				/--system needs the system message's text/,
				2
			],
			// TinyStories has no chat template.
			[
				[...base, "--prompts", prompts, "--concept", "the sea", "--system", "Be brief."],
				/--system needs a chat template, and this model has none/,
				2
			],
			[
				[...base.slice(0, -1), `${vectorFile}:0`, "--prompts", prompts, "--concept", "the sea"],
				/scale 0 is the unsteered model/,
				2
			],
			[
				[...base, "--prompts", prompts, "--concept", "the sea", "--judge-model", path.join(dir, "judge.gguf")],
				/model file not found/,
				1
			]
		];
		for (const [args, message, exitCode] of cases) {
			const { code, stderr } = await runSteer(args);
			assert.equal(code, exitCode, stderr);
			const firstLine = stderr.split("\n")[0]!;
			assert.match(firstLine, /^steer: error: /);
			assert.match(firstLine, message);
		}
	});
});
