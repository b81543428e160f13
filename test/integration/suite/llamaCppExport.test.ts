import assert from "node:assert/strict";
import { mkdir, rm } from "node:fs/promises";
import * as vscode from "vscode";
import { loadControlVectorFile, saveControlVectorFile } from "../../../src/steering/gguf/controlVectorFile";
import type { SteerApi } from "../../../src/vscode/extension";
import { lastErrors, steerFolder, steerWithModelOrSkip, workspaceDir } from "./steerTestSupport";

const VECTOR = "export-push.gguf";

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
		const directions = new Map([
			[1, direction(1)],
			[2, direction(2)]
		]);
		await saveControlVectorFile(steerFolder("vectors", VECTOR), { nEmbd, directions }, { modelHint: "llama" });
		await api.refreshVectors();
		for (const vector of api.library.list()) await api.steering.setActive(vector.fileName, false);
	});

	after(async () => {
		if (!api) return;
		await rm(steerFolder("vectors", VECTOR), { force: true });
		await rm(`${workspaceDir()}/exported`, { recursive: true, force: true });
		await api.refreshVectors();
	});

	it("refuses when no vector is active, and writes nothing", async () => {
		const result = await vscode.commands.executeCommand("steer.exportForLlamaServer", destination());
		assert.equal(result, undefined);
		assert.match(lastErrors(api), /no active vectors to export: tick a vector in the Steer panel first/);
	});

	it("writes strength × direction within the layer range, and gives the llama-server command line", async () => {
		await api.steering.setActive(VECTOR, true);
		await api.steering.setStrength(VECTOR, 2);
		await api.steering.setLayerRange(VECTOR, [1, 1]);
		const result = await vscode.commands.executeCommand<{ file: string; server: string; cli: string }>(
			"steer.exportForLlamaServer",
			destination()
		);
		assert.ok(result, `the export failed: ${lastErrors(api)}`);
		const modelPath = api.engine.requireModel().info.modelPath;
		assert.equal(result.server, `llama-server -m ${modelPath} --control-vector ${destination()}`);
		const written = await loadControlVectorFile(destination());
		assert.deepEqual([...written.vector.directions.keys()], [1], "layer 2 lies outside the range");
		assert.deepEqual(
			written.vector.directions.get(1),
			direction(1).map((value) => 2 * value)
		);
		await api.steering.setActive(VECTOR, false);
	});
});
