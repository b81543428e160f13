import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import * as vscode from "vscode";
import { toJsonl } from "../../../src/datasets";
import { saveControlVectorFile } from "../../../src/steering/gguf/controlVectorFile";
import type { SteerApi } from "../../../src/vscode/extension";
import { steerApi, steerFolder, workspaceDir } from "../suite/steerTestSupport";

const REFUSAL = /is disabled in an untrusted workspace; trust the workspace to open model and vector files/;

/** The model the workspace's `.vscode/settings.json` names, as a cloned repository could. */
function configuredModel(): string {
	const settings = JSON.parse(readFileSync(path.join(workspaceDir(), ".vscode", "settings.json"), "utf8")) as Record<
		string,
		unknown
	>;
	const modelPath = settings["steer.modelPath"];
	assert.equal(typeof modelPath, "string", "the workspace settings should name a model in steer.modelPath");
	return modelPath as string;
}

/**
 * Engine processes this extension host started: its children running the bundled engine. Read from
 * /proc, so a process counts even if the extension lost track of it.
 */
function engineProcesses(): number[] {
	const found: number[] = [];
	for (const entry of readdirSync("/proc")) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			// The parent id is the 4th field, after the command name in parentheses (which may hold spaces).
			const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
			const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
			if (parent !== process.pid) continue;
			if (readFileSync(`/proc/${entry}/cmdline`, "utf8").includes("engine.mjs")) found.push(Number(entry));
		} catch {
			// The process ended while being read.
		}
	}
	return found;
}

/** Runs a command that must be refused: it returns nothing and reports why through the failure path. */
async function expectRefusal(
	api: SteerApi,
	command: string,
	args: unknown[],
	action: string,
	reason: RegExp
): Promise<void> {
	const before = api.log.linesLogged();
	const result = await vscode.commands.executeCommand(command, ...args);
	assert.equal(result, undefined, `${command} should return nothing when refused`);
	const lines = api.log.recentLines();
	const added = lines.slice(lines.length - (api.log.linesLogged() - before));
	const reported = added.find((line) => line.startsWith(`error: ${action} failed: `));
	assert.ok(reported, `${command} reported no refusal; logged: ${added.join(" | ") || "nothing"}`);
	assert.match(reported, reason);
}

/** Nothing was loaded and no engine process exists for this extension host. */
function assertNoEngine(api: SteerApi): void {
	assert.equal(api.engine.modelInfo, undefined, "no model should be loaded");
	assert.equal(api.engine.isLoading, false, "no model should be loading");
	assert.deepEqual(engineProcesses(), [], "no engine process should have been started");
}

describe("Untrusted workspace: Steer runs in limited mode and opens no model or vector file", function () {
	this.timeout(60_000);
	let api: SteerApi;

	before(async () => {
		api = await steerApi();
	});

	it("opens the workspace untrusted, with a real model named in its settings", () => {
		assert.equal(vscode.workspace.isTrusted, false, "the workspace should open untrusted");
		assert.ok(
			existsSync(configuredModel()),
			`${configuredModel()} should exist, so that only the missing trust keeps it from loading`
		);
		// steer.modelPath is a restricted setting: VS Code does not hand a workspace's value to the extension.
		assert.equal(vscode.workspace.getConfiguration("steer").get("modelPath"), "");
	});

	it("activates in limited mode and says why nothing is opened", () => {
		const extension = vscode.extensions.getExtension("steer.steer");
		assert.ok(extension?.isActive, "the extension should activate in an untrusted workspace");
		assert.ok(
			api.log
				.recentLines()
				.includes("info: workspace not trusted: no model or vector file is opened until it is"),
			`the log does not say the workspace is untrusted; logged: ${api.log.recentLines().join(" | ")}`
		);
		assertNoEngine(api);
	});

	it("refuses Load Model with the configured model, and starts no engine", async () => {
		await expectRefusal(api, "steer.loadModel", [configuredModel()], "Load Model", REFUSAL);
		assertNoEngine(api);
	});

	it("refuses Import Vector and copies nothing into .steer/vectors", async () => {
		// A well-formed vector shipped with the workspace: refused for where it is, not for what it holds.
		const shipped = path.join(workspaceDir(), "shipped.gguf");
		await saveControlVectorFile(
			shipped,
			{ nEmbd: 8, directions: new Map([[1, new Float32Array(8).fill(0.5)]]) },
			{ modelHint: "llama" }
		);
		await expectRefusal(api, "steer.importVector", [shipped], "Import Vector", REFUSAL);
		assert.equal(existsSync(steerFolder("vectors", "shipped.gguf")), false, "the refused vector was copied");
		assert.deepEqual(api.library.list(), [], "an untrusted workspace shows no vectors");
	});

	it("refuses Train Vector on a dataset in the workspace, writes no vector, and starts no engine", async () => {
		await mkdir(steerFolder("datasets"), { recursive: true });
		const pairs = [
			{ positive: "Lily was happy.", negative: "Lily was sad." },
			{ positive: "Tom smiled.", negative: "Tom cried." }
		];
		await writeFile(steerFolder("datasets", "shipped.jsonl"), toJsonl(pairs));
		await expectRefusal(api, "steer.trainVector", ["shipped.jsonl", "pca-diff"], "Train Vector", REFUSAL);
		assert.equal(existsSync(steerFolder("vectors", "shipped.gguf")), false, "a refused training wrote a vector");
		assertNoEngine(api);
	});
});
