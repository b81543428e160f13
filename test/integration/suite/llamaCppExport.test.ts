import assert from "node:assert/strict";
import { mkdir, rm } from "node:fs/promises";
import * as vscode from "vscode";
import { loadControlVectorFile, saveControlVectorFile } from "../../../src/steering/gguf/controlVectorFile";
import type { SteerApi } from "../../../src/vscode/extension";
import { lastErrors, steerFolder, steerWithModelOrSkip, workspaceDir } from "./steerTestSupport";

const VECTOR = "export-push.gguf";
const SECOND = "export-pull.gguf";

describe("Export for llama-server: the active steering as one file and a command line", function () {
	this.timeout(60_000);
	let api: SteerApi;
	let nEmbd: number;
	const direction = (layer: number) => Float32Array.from({ length: nEmbd }, (_, i) => Math.cos(i + layer));
	const destination = () => `${workspaceDir()}/exported/steering.gguf`;

	before(async function () {
		api = await steerWithModelOrSkip(this);
		nEmbd = api.engine.requireModel().info.nEmbd;
		await mkdir(steerFolder("vectors"), { recursive: true });
		// Layer 1: the one steerable layer of every test model.
		for (const [fileName, seed] of [
			[VECTOR, 1],
			[SECOND, 2]
		] as const)
			await saveControlVectorFile(
				steerFolder("vectors", fileName),
				{ nEmbd, directions: new Map([[1, direction(seed)]]) },
				{ modelHint: "llama" }
			);
		await api.refreshVectors();
		for (const vector of api.library.list()) await api.steering.setActive(vector.fileName, false);
	});

	after(async () => {
		if (!api) return;
		await rm(steerFolder("vectors", VECTOR), { force: true });
		await rm(steerFolder("vectors", SECOND), { force: true });
		await rm(`${workspaceDir()}/exported`, { recursive: true, force: true });
		await api.refreshVectors();
	});

	it("refuses when no vector is active, and writes nothing", async () => {
		const result = await vscode.commands.executeCommand("steer.exportForLlamaServer", destination());
		assert.equal(result, undefined);
		assert.match(lastErrors(api), /no active vectors to export: tick a vector in the Steer panel first/);
	});

	it("sums the active vectors at their strengths into one file, and gives the llama-server command line", async () => {
		await api.steering.setActive(VECTOR, true);
		await api.steering.setStrength(VECTOR, 2);
		await api.steering.setActive(SECOND, true);
		await api.steering.setStrength(SECOND, -0.5);
		const result = await vscode.commands.executeCommand<{ file: string; server: string; cli: string }>(
			"steer.exportForLlamaServer",
			destination()
		);
		assert.ok(result, `the export failed: ${lastErrors(api)}`);
		const modelPath = api.engine.requireModel().info.modelPath;
		assert.equal(result.server, `llama-server -m ${modelPath} --control-vector ${destination()}`);
		assert.equal(result.cli, `llama-cli -m ${modelPath} --control-vector ${destination()}`);
		const written = await loadControlVectorFile(destination());
		assert.deepEqual([...written.vector.directions.keys()], [1]);
		const first = direction(1);
		const second = direction(2);
		assert.deepEqual(
			written.vector.directions.get(1),
			Float32Array.from(first, (value, i) => 2 * value - 0.5 * second[i]!)
		);
		await api.steering.setActive(VECTOR, false);
		await api.steering.setActive(SECOND, false);
	});
});
