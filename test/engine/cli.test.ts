/** The `steer` CLI as a user runs it: a process, its JSON on stdout, one-line errors and exit codes. */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { writeControlVector } from "../../src/steering/gguf/controlVector";
import { runSteer } from "../helpers/steerCli";
import { randomVector } from "../helpers/testModels";
import { writeTinyModel } from "../helpers/tinyModelFile";

const steer = (...args: string[]) => runSteer(args);

describe("steer CLI", function () {
	this.timeout(120_000);
	const nLayer = 4;
	const nEmbd = 64;
	let tiny: ReturnType<typeof writeTinyModel>;
	let dir: string;
	let vectorFile: string;
	let otherWidthFile: string;
	const model = () => ["--model", tiny.file, "--gpu", "false", "--threads", "1", "--context-size", "256"];

	before(() => {
		tiny = writeTinyModel({ nLayer, nEmbd, seed: 9 });
		dir = mkdtempSync(path.join(os.tmpdir(), "steer-cli-"));
		vectorFile = path.join(dir, "push.gguf");
		writeFileSync(
			vectorFile,
			writeControlVector({ nEmbd, directions: new Map([[2, randomVector(nEmbd, 4)]]) }, { modelHint: "llama" })
		);
		otherWidthFile = path.join(dir, "wide.gguf");
		writeFileSync(
			otherWidthFile,
			writeControlVector(
				{ nEmbd: nEmbd * 2, directions: new Map([[1, randomVector(nEmbd * 2, 4)]]) },
				{ modelHint: "llama" }
			)
		);
	});
	after(() => {
		tiny.remove();
		rmSync(dir, { recursive: true, force: true });
	});

	it("info --json prints exactly the documented fields", async () => {
		const { code, stdout } = await steer("info", ...model(), "--json");
		assert.equal(code, 0);
		const info = JSON.parse(stdout);
		assert.deepEqual(Object.keys(info).sort(), [
			"architecture",
			"backend",
			"contextLength",
			"nEmbd",
			"nLayer",
			"threads",
			"vocabSize"
		]);
		assert.equal(info.architecture, "llama");
		assert.equal(info.nLayer, nLayer);
		assert.equal(info.nEmbd, nEmbd);
		assert.equal(info.backend, "cpu");
		assert.equal(info.threads, 1);
	});

	it("capture --json gives tokens, pieces and per-layer hidden rows; FILE:S scales like llama.cpp and vectors add up", async () => {
		const capture = async (...extra: string[]) => {
			const { code, stdout, stderr } = await steer(
				"capture",
				...model(),
				"--prompt",
				"a big dog",
				"--layers",
				"1-2",
				"--positions",
				"last",
				"--json",
				...extra
			);
			assert.equal(code, 0, stderr);
			return JSON.parse(stdout) as {
				tokens: number[];
				pieces: string[];
				layers: { layer: number; hidden: number[][] }[];
			};
		};
		const base = await capture();
		assert.equal(base.tokens.length, base.pieces.length);
		assert.deepEqual(
			base.layers.map((layer) => layer.layer),
			[1, 2]
		);
		assert.equal(base.layers[0]!.hidden.length, 1);
		assert.equal(base.layers[0]!.hidden[0]!.length, nEmbd);

		const direction = randomVector(nEmbd, 4);
		const scaled = await capture("--vector", `${vectorFile}:2.5`);
		const twice = await capture("--vector", `${vectorFile}:1.5`, "--vector", vectorFile);
		assert.deepEqual(
			scaled.layers[0]!.hidden,
			base.layers[0]!.hidden,
			"layer 1 must not change for a layer-2 vector"
		);
		for (let i = 0; i < nEmbd; i++) {
			const expected = base.layers[1]!.hidden[0]![i]! + 2.5 * direction[i]!;
			assert.ok(Math.abs(scaled.layers[1]!.hidden[0]![i]! - expected) <= 1e-4);
			assert.ok(Math.abs(twice.layers[1]!.hidden[0]![i]! - expected) <= 1e-4);
		}
	});

	it("generate --json reports text, tokens, speed and why it stopped; a zero-scaled vector is the unsteered model", async () => {
		const { code, stdout } = await steer(
			"generate",
			...model(),
			"--prompt",
			"a b c",
			"--max-tokens",
			"8",
			"--json"
		);
		assert.equal(code, 0);
		const plain = JSON.parse(stdout);
		assert.deepEqual(Object.keys(plain).sort(), ["stopReason", "text", "tokens", "tokensPerSecond"]);
		assert.equal(plain.tokens.length, 8);
		assert.equal(plain.stopReason, "maxTokens");
		assert.ok(plain.tokensPerSecond > 0);
		const zero = JSON.parse(
			(
				await steer(
					"generate",
					...model(),
					"--prompt",
					"a b c",
					"--max-tokens",
					"8",
					"--json",
					"--vector",
					`${vectorFile}:0`
				)
			).stdout
		);
		assert.deepEqual(zero.tokens, plain.tokens);
	});

	it("fails with one line and a non-zero exit code on bad input", async () => {
		const cases: [string[], RegExp][] = [
			[["info", "--model", path.join(dir, "missing.gguf"), "--json"], /model file not found/],
			[["info", "--model", __filename, "--json"], /is not a GGUF file/],
			[
				["generate", ...model(), "--prompt", "x", "--vector", otherWidthFile],
				/128 wide, but the model's hidden state is 64 wide/
			],
			[["generate", ...model(), "--prompt", "x", "--vector", path.join(dir, "nope.gguf")], /nope\.gguf/],
			[["capture", ...model(), "--prompt", "x", "--layers", "9", "--json"], /layer 9 is out of range/],
			[["generate", ...model(), "--prompt", "x", "--max-tokens", "many"], /--max-tokens must be a whole number/],
			[["frobnicate"], /unknown command "frobnicate"/]
		];
		for (const [args, message] of cases) {
			const { code, stderr } = await steer(...args);
			assert.notEqual(code, 0, `${args.join(" ")} exited with 0`);
			const firstLine = stderr.split("\n")[0]!;
			assert.match(firstLine, /^steer: error: /);
			assert.match(firstLine, message);
		}
	});
});
