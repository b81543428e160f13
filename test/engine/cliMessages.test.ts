/**
 * The `steer` CLI's messages for mistakes say what is wrong and what is allowed: the exact first line
 * of stderr and a non-zero exit code for each, as a user sees them.
 */
import assert from "node:assert/strict";
import { copyFileSync, existsSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { EngineClient } from "../../src/engine/client";
import type { EngineError } from "../../src/engine/errors";
import { writeControlVector } from "../../src/steering/gguf/controlVector";
import { readGgufFile } from "../../src/steering/gguf/fileReader";
import { runSteer } from "../helpers/steerCli";
import { randomVector, repoRoot, testModelsDir } from "../helpers/testModels";
import { writeTinyModel } from "../helpers/tinyModelFile";

async function expectError(args: string[], code: number, message: string): Promise<void> {
	const result = await runSteer(args);
	assert.equal(result.code, code, `${args.join(" ")} exited with ${result.code}; stderr: ${result.stderr}`);
	assert.equal(result.stderr.split("\n")[0], `steer: error: ${message}`, args.join(" "));
}

/** Where the last tensor's data ends, read from the intact file's header. */
async function dataEnd(file: string): Promise<number> {
	const header = await readGgufFile(file);
	return Math.max(...header.tensors.map((tensor) => tensor.fileOffset + tensor.byteSize!));
}

describe("steer CLI messages for mistakes", function () {
	this.timeout(120_000);
	const nEmbd = 64;
	let tiny: ReturnType<typeof writeTinyModel>;
	let dir: string;
	let vectorFile: string;
	const model = () => ["--model", tiny.file, "--gpu", "false", "--threads", "1", "--context-size", "256"];

	before(() => {
		tiny = writeTinyModel({ nLayer: 4, nEmbd, seed: 9 });
		dir = mkdtempSync(path.join(os.tmpdir(), "steer-cli-messages-"));
		vectorFile = path.join(dir, "push.gguf");
		writeFileSync(
			vectorFile,
			writeControlVector({ nEmbd, directions: new Map([[2, randomVector(nEmbd, 4)]]) }, { modelHint: "llama" })
		);
	});
	after(() => {
		tiny.remove();
		rmSync(dir, { recursive: true, force: true });
	});

	it("--vector: a scale that is not a number, not finite or absurd, and a missing file", async () => {
		await expectError(
			["generate", ...model(), "--prompt", "x", "--vector", `${vectorFile}:abc`],
			2,
			`scale "abc" in --vector ${vectorFile}:abc is not a number`
		);
		await expectError(
			["generate", ...model(), "--prompt", "x", "--vector", `${vectorFile}:1e30`],
			2,
			`scale 1e30 in --vector ${vectorFile}:1e30 is out of range: scales go from -100 to 100 (1 is a trained vector's full push; far beyond it the model writes garbage or nothing)`
		);
		await expectError(
			["capture", ...model(), "--prompt", "x", "--json", "--vector", `${vectorFile}:1e999`],
			2,
			`scale 1e999 in --vector ${vectorFile}:1e999 is not a finite number`
		);
		const missing = path.join(dir, "nope.gguf");
		await expectError(
			["generate", ...model(), "--prompt", "x", "--vector", missing],
			1,
			`vector file not found: ${missing}`
		);
		await expectError(
			["generate", ...model(), "--prompt", "x", "--vector", `${missing}:2`],
			1,
			`vector file not found: ${missing}`
		);
		await expectError(
			["sweep", ...model(), "--prompt", "x", "--vector", vectorFile, "--strengths", "0,1e30"],
			2,
			"--strengths value 1e30 is out of range: strengths go from -100 to 100 (1 is a trained vector's full push; far beyond it the model writes garbage or nothing)"
		);
	});

	it("a file whose own name ends in :number is read as that file", async () => {
		const oddName = path.join(dir, "push.gguf:2");
		copyFileSync(vectorFile, oddName);
		const { code, stderr } = await runSteer([
			"generate",
			...model(),
			"--prompt",
			"a b",
			"--max-tokens",
			"2",
			"--json",
			"--vector",
			oddName
		]);
		assert.equal(code, 0, stderr);
	});

	it("numeric options say which values are allowed, negative numbers included", async () => {
		const generate = (...extra: string[]) => ["generate", ...model(), "--prompt", "x", ...extra];
		await expectError(generate("--temperature", "-1"), 2, '--temperature must be a number ≥ 0, got "-1"');
		await expectError(generate("--top-p", "5"), 2, '--top-p must be a number from 0 to 1, got "5"');
		await expectError(
			generate("--seed", "1e10"),
			2,
			'--seed must be a whole number from 0 to 4294967295, got "1e10"'
		);
		await expectError(generate("--max-tokens", "-5"), 2, '--max-tokens must be a whole number ≥ 1, got "-5"');
		await expectError(
			["info", ...model(), "--gpu-layers", "-1"],
			2,
			'--gpu-layers must be a whole number ≥ 0, got "-1"'
		);
		await expectError(
			["generate", ...model(), "--prompt", "--json"],
			2,
			"--prompt needs a value, but is followed by the option --json"
		);
		await expectError(generate("--temperature"), 2, "--temperature needs a value");
		await expectError(
			["sweep", ...model(), "--prompt", "x", "--vector", vectorFile, "--seeds", "1e10"],
			2,
			'--seeds must be a whole number from 1 to 1000, got "1e10"'
		);
	});

	it("a truncated model file is named truncated, before llama.cpp sees it", async () => {
		// The generated model always; the trained one where it is present.
		const models = [tiny.file, path.join(testModelsDir(), "TinyStories-656K.f16.gguf")].filter((file) =>
			existsSync(file)
		);
		for (const [index, intact] of models.entries()) {
			const end = await dataEnd(intact);
			const cut = path.join(dir, `cut-${index}.gguf`);
			copyFileSync(intact, cut);
			const half = Math.floor(end / 2);
			truncateSync(cut, half);
			await expectError(
				["info", "--model", cut, "--gpu", "false"],
				1,
				`${cut} is truncated: its tensor data ends at byte ${end} but the file has only ${half} bytes; download or copy it again`
			);
			truncateSync(cut, 100);
			await expectError(
				["info", "--model", cut, "--gpu", "false"],
				1,
				`${cut} is truncated: its 100 bytes end inside the GGUF header; download or copy it again`
			);
		}
	});

	it("the engine itself refuses a truncated model with that message, for the extension as for the CLI", async () => {
		const cut = path.join(dir, "cut-engine.gguf");
		copyFileSync(tiny.file, cut);
		const end = await dataEnd(tiny.file);
		truncateSync(cut, end - 1);
		const engine = new EngineClient({ steerRoot: repoRoot });
		try {
			await assert.rejects(
				engine.loadModel({ modelPath: cut, gpu: false, threads: 1 }),
				(error: EngineError) =>
					error.code === "MODEL_LOAD_FAILED" &&
					error.message ===
						`${cut} is truncated: its tensor data ends at byte ${end} but the file has only ${end - 1} bytes; download or copy it again`
			);
		} finally {
			await engine.dispose();
		}
	});
});
