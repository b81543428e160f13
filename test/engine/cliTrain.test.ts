/**
 * `steer train` end to end through the built CLI: the file it writes is a control vector that
 * `steer generate --vector` applies, `V.gguf:0` is the unsteered model, and mistakes are one-line errors.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { loadTrainedVector } from "../../src/steering/pipeline/trainedVectorFile";
import { runSteer } from "../helpers/steerCli";
import { repoRoot, trainedModelOrSkip } from "../helpers/testModels";

const steer = runSteer;

describe("steer train (CLI)", function () {
	this.timeout(120_000);
	let model: string;
	let folder: string;
	let vectorFile: string;
	const common = ["--gpu", "false", "--threads", "1"];
	const prompt = "Once upon a time, there was a little girl named Lily. One day,";

	before(async function () {
		model = trainedModelOrSkip(this, "TinyStories-656K.f16.gguf");
		folder = mkdtempSync(path.join(tmpdir(), "steer-cli-train-"));
		vectorFile = path.join(folder, "happy.gguf");
	});

	after(() => {
		if (folder) rmSync(folder, { recursive: true, force: true });
	});

	it("trains a vector and reports diagnostics as JSON", async () => {
		const dataset = path.join(repoRoot, "examples", "datasets", "happy-sad.jsonl");
		const result = await steer([
			"train",
			"--model",
			model,
			"--dataset",
			dataset,
			"--method",
			"mean",
			"--positions",
			"mean",
			"--out",
			vectorFile,
			"--json",
			...common
		]);
		assert.equal(result.code, 0, result.stderr);
		const report = JSON.parse(result.stdout);
		assert.equal(report.method, "mean-diff");
		assert.equal(report.positions, "mean");
		assert.deepEqual(report.suggestedLayers, [1]);
		assert.equal(report.recommendedStrength, 1);
		assert.equal(report.diagnostics.length, 1);
		assert.equal(report.diagnostics[0].layer, 1);
		const saved = await loadTrainedVector(vectorFile);
		assert.deepEqual(saved.suggestedLayers, [1]);
		assert.equal(saved.pairCount, 26);
	});

	it("--placement calibrates the vector where it will act and records it; generate then uses it", async () => {
		const dataset = path.join(repoRoot, "examples", "datasets", "happy-sad.jsonl");
		const placedFile = path.join(folder, "happy-generated.gguf");
		const train = (placement: string) =>
			steer([
				"train",
				"--model",
				model,
				"--dataset",
				dataset,
				"--out",
				placedFile,
				"--force",
				"--placement",
				placement,
				"--json",
				...common
			]);
		const bad = await train("middle");
		assert.notEqual(bad.code, 0);
		assert.match(bad.stderr, /--placement: unknown placement "middle"; use all, generated, prompt, first:K/);
		const result = await train("generated");
		assert.equal(result.code, 0, result.stderr);
		assert.equal(JSON.parse(result.stdout).placement, "generated");
		assert.deepEqual((await loadTrainedVector(placedFile)).placement, { kind: "generated" });
		// The file's placement keeps the prompt unsteered: the first token is the unsteered one.
		const generate = async (...extra: string[]) => {
			const run = await steer([
				"generate",
				"--model",
				model,
				"--prompt",
				prompt,
				"--max-tokens",
				"8",
				"--temperature",
				"0",
				"--json",
				...common,
				...extra
			]);
			assert.equal(run.code, 0, run.stderr);
			return JSON.parse(run.stdout).tokens as number[];
		};
		const unsteered = await generate();
		const placed = await generate("--vector", `${placedFile}:8`);
		const everywhere = await generate("--vector", `${placedFile}:8`, "--placement", "all");
		assert.equal(placed[0], unsteered[0]);
		assert.notDeepEqual(placed, everywhere, "the file's placement was not applied");
	});

	it("generate applies the trained file, and FILE:0 is exactly the unsteered model", async () => {
		const generate = async (vector?: string) => {
			const result = await steer([
				"generate",
				"--model",
				model,
				"--prompt",
				prompt,
				"--max-tokens",
				"24",
				"--temperature",
				"0",
				"--json",
				...common,
				...(vector ? ["--vector", vector] : [])
			]);
			assert.equal(result.code, 0, result.stderr);
			return JSON.parse(result.stdout).text as string;
		};
		const unsteered = await generate();
		assert.equal(await generate(`${vectorFile}:0`), unsteered);
		assert.notEqual(await generate(vectorFile), unsteered);
	});

	it("reports a missing dataset, a bad dataset line and a vector for another model in one line each", async function () {
		const missing = await steer([
			"train",
			"--model",
			model,
			"--dataset",
			path.join(folder, "nope.jsonl"),
			"--out",
			path.join(folder, "x.gguf"),
			...common
		]);
		assert.equal(missing.code, 1);
		assert.match(missing.stderr, /^steer: error: dataset .*nope\.jsonl does not exist\n$/);

		const bad = path.join(folder, "bad.jsonl");
		writeFileSync(bad, '{"positive": "Lily smiled.", "negative": "Lily cried."}\n{"positive": "Tom laughed."}\n');
		const invalid = await steer([
			"train",
			"--model",
			model,
			"--dataset",
			bad,
			"--out",
			path.join(folder, "x.gguf"),
			...common
		]);
		assert.equal(invalid.code, 1);
		assert.match(invalid.stderr, /^steer: error: invalid dataset: .*bad\.jsonl:2: field "negative"/);
		assert.equal(invalid.stderr.trim().split("\n").length, 1);

		const otherModel = trainedModelOrSkip(this, "stories260K.gguf");
		const mismatch = await steer([
			"sweep",
			"--model",
			otherModel,
			"--vector",
			vectorFile,
			"--prompt",
			prompt,
			...common
		]);
		assert.equal(mismatch.code, 1);
		assert.match(mismatch.stderr, /is 128 wide but the model's hidden state is 64 wide/);

		// An existing --out is replaced only with --force; refused before the model is loaded.
		const before = readFileSync(vectorFile);
		const exists = await steer([
			"train",
			"--model",
			model,
			"--dataset",
			path.join(repoRoot, "examples", "datasets", "happy-sad.jsonl"),
			"--out",
			vectorFile,
			...common
		]);
		assert.equal(exists.code, 2);
		assert.match(exists.stderr, /happy\.gguf exists; pass --force to replace it, or choose another --out/);
		assert.deepEqual(readFileSync(vectorFile), before);

		const method = await steer([
			"train",
			"--model",
			model,
			"--dataset",
			bad,
			"--out",
			path.join(folder, "x.gguf"),
			"--method",
			"median"
		]);
		assert.equal(method.code, 2);
		assert.match(method.stderr, /--method must be mean, pca-diff, pca-center or probe, got "median"/);
	});

	it("--profile-search calibrates the band and every layer pushed alike and keeps the one the pairs read likelier", async function () {
		const otherModel = trainedModelOrSkip(this, "stories260K.gguf");
		const dataset = path.join(repoRoot, "examples", "datasets", "happy-sad.jsonl");
		const out = path.join(folder, "happy-profiles.gguf");
		const result = await steer([
			"train",
			"--model",
			otherModel,
			"--dataset",
			dataset,
			"--profile-search",
			"--out",
			out,
			"--json",
			...common
		]);
		assert.equal(result.code, 0, result.stderr);
		const report = JSON.parse(result.stdout);
		const choice = report.calibration.profile;
		assert.deepEqual(
			choice.candidates.map((entry: { profile: string }) => entry.profile),
			["band", "every-layer"]
		);
		assert.deepEqual(choice.candidates[1].layers, [1, 2, 3, 4]);
		for (const entry of choice.candidates) assert.ok(Number.isFinite(entry.pairGain), JSON.stringify(entry));
		const comparable = choice.candidates.filter((entry: { reason: string }) => entry.reason !== "nothing-fluent");
		const best = comparable.reduce((a: { pairGain: number }, b: { pairGain: number }) =>
			b.pairGain > a.pairGain ? b : a
		);
		assert.equal(choice.chosen, best.profile);
		const saved = await loadTrainedVector(out);
		assert.deepEqual(saved.suggestedLayers, best.layers);
		assert.deepEqual(
			[...saved.vector.directions.keys()].sort((a, b) => a - b),
			best.layers
		);
		assert.equal(saved.calibration!.chosen, best.chosen);
		assert.deepEqual(saved.calibration!.profile, choice);

		for (const [extra, message] of [
			[["--no-calibrate"], /--profile-search is a way of calibrating, which --no-calibrate turns off/],
			[["--layers", "2-3"], /--layers and --top-k fix them/],
			[["--top-k", "2"], /--layers and --top-k fix them/],
			[["--placement", "generated"], /cannot be combined with --placement yet/]
		] as const) {
			const refused = await steer([
				"train",
				"--model",
				otherModel,
				"--dataset",
				dataset,
				"--profile-search",
				...extra,
				"--out",
				path.join(folder, "refused.gguf"),
				...common
			]);
			assert.equal(refused.code, 2, refused.stderr);
			assert.match(refused.stderr, message);
		}
	});

	it("trains labelled examples without pairs with the probe, steering the top k layers", async function () {
		const otherModel = trainedModelOrSkip(this, "stories260K.gguf");
		const dataset = path.join(repoRoot, "examples", "datasets", "happy-labelled.jsonl");
		const out = path.join(folder, "happy-probe.gguf");
		const result = await steer([
			"train",
			"--model",
			otherModel,
			"--dataset",
			dataset,
			"--method",
			"probe",
			"--top-k",
			"2",
			"--no-calibrate",
			"--out",
			out,
			"--json",
			...common
		]);
		assert.equal(result.code, 0, result.stderr);
		const report = JSON.parse(result.stdout);
		assert.equal(report.method, "probe");
		assert.equal(report.pairs, 0);
		assert.deepEqual(report.examples, { positive: 16, negative: 14 });
		assert.equal(report.suggestedLayers.length, 2);
		const saved = await loadTrainedVector(out);
		assert.equal(saved.method, "probe");
		assert.deepEqual(saved.exampleCounts, { positive: 16, negative: 14 });
		assert.deepEqual(saved.suggestedLayers, report.suggestedLayers);

		// The methods that need pairs are refused by name before the model loads.
		const pca = await steer([
			"train",
			"--model",
			otherModel,
			"--dataset",
			dataset,
			"--method",
			"pca-diff",
			"--out",
			out,
			"--force"
		]);
		assert.equal(pca.code, 2);
		assert.match(pca.stderr, /holds labelled examples without pairs: pca-diff needs contrast pairs/);
		const both = await steer([
			"train",
			"--model",
			otherModel,
			"--dataset",
			dataset,
			"--layers",
			"1-2",
			"--top-k",
			"2",
			"--out",
			out,
			"--force"
		]);
		assert.equal(both.code, 2);
		assert.match(both.stderr, /--layers and --top-k both choose the layers to steer; pass one/);
	});

	it("sweeps strengths and reports the strongest fluent one", async () => {
		const result = await steer([
			"sweep",
			"--model",
			model,
			"--vector",
			vectorFile,
			"--prompt",
			prompt,
			"--strengths",
			"0,1,6",
			"--keywords",
			"happy,smiled,laughed,fun",
			"--judge",
			"happy",
			"--seeds",
			"3",
			"--json",
			...common
		]);
		assert.equal(result.code, 0, result.stderr);
		const report = JSON.parse(result.stdout);
		assert.deepEqual(
			report.points.map((point: { strength: number }) => point.strength),
			[0, 1, 6]
		);
		assert.equal(report.points[0].perplexityRatio, 1);
		assert.ok(report.points[2].perplexityRatio > 1.5, `ratio at 6: ${report.points[2].perplexityRatio}`);
		assert.ok(report.suggestedMaxStrength === null || report.suggestedMaxStrength < 6);
		for (const point of report.points) assert.ok(point.judgeScore > 0 && point.judgeScore < 1);
	});
});
