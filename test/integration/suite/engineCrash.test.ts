import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import * as vscode from "vscode";
import type { ContrastPair } from "../../../src/datasets";
import type { SteerApi } from "../../../src/vscode/extension";
import type { TrainingOutcome } from "../../../src/vscode/training/trainingRunner";
import { editorWith, lastErrors, MODEL, steerFolder, steerWithModelOrSkip } from "./steerTestSupport";

const PROMPT = "Once upon a time, there was a little girl named Lily. She";
const DATASET = "crash-moods.jsonl";

/**
 * Enough pairs that capturing them takes seconds on a small machine, so the engine can be killed
 * while the capture is still running: 10 names × 6 activities × 5 places = 300 distinct pairs.
 */
function generatedPairs(): ContrastPair[] {
	const names = ["Lily", "Tom", "Sue", "Ben", "Mia", "Sam", "Anna", "Max", "Zoe", "Leo"];
	const activities = [
		"played with a ball",
		"ate a cake",
		"read a book",
		"drew a cat",
		"sang a song",
		"built a tower"
	];
	const places = ["in the park", "at home", "by the sea", "in the garden", "at school"];
	const pairs: ContrastPair[] = [];
	for (const name of names)
		for (const activity of activities)
			for (const place of places)
				pairs.push({
					positive: `${name} was very happy and ${activity} ${place}.`,
					negative: `${name} was very sad and ${activity} ${place}.`
				});
	return pairs;
}

/** The engine's process id; the engine runs whenever a model is loaded and a request has reached it. */
function enginePid(api: SteerApi): number | undefined {
	return api.engine.requireModel().client.pid;
}

/** The Steer log lines added since `since` (a `linesLogged()` count). */
function linesSince(api: SteerApi, since: number): string[] {
	const lines = api.log.recentLines();
	return lines.slice(Math.max(0, lines.length - (api.log.linesLogged() - since)));
}

/** The names in the vectors folder, hidden temporary files included. */
async function vectorFolderEntries(): Promise<string[]> {
	try {
		return (await readdir(steerFolder("vectors"))).sort();
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
		throw error;
	}
}

/**
 * Runs `write` into .steer and waits until the folder watcher it wakes has re-applied steering
 * through the engine. Otherwise that request could reach the engine right after a kill, and the
 * restart would meet two requests at once: a case of its own, not the one these tests are about.
 */
async function writeAndLetSteeringSettle(api: SteerApi, write: () => Promise<unknown>): Promise<void> {
	let subscription: vscode.Disposable | undefined;
	const reapplied = new Promise<void>((resolve) => {
		subscription = api.steering.onDidChange(() => resolve());
	});
	const within = (ms: number) =>
		Promise.race([
			reapplied.then(() => true),
			new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms))
		]);
	try {
		await write();
		// The folder watcher was seen to miss a write into an existing .steer/datasets on a loaded
		// machine (no event ever came); the refresh it would have run is then run here, so the test
		// still starts from settled steering instead of failing on a watcher it is not about.
		if (await within(10_000)) return;
		await api.refreshVectors();
		if (!(await within(15_000))) throw new Error("steering was not re-applied after writing into .steer");
	} finally {
		subscription?.dispose();
	}
}

async function generateAtCursor(): Promise<string | undefined> {
	await editorWith(PROMPT);
	return vscode.commands.executeCommand<string | undefined>("steer.generateAtCursor");
}

/**
 * What every crash must leave behind: the command failed and said so through the extension's failure
 * path (its "<action> failed: <reason>" line is the text of the error notification), naming the
 * killed process and the request it interrupted; the host logged the exit; no engine runs until the
 * next request; and the extension still counts the model as loaded, since the restart restores it.
 */
function assertCrashReported(api: SteerApi, since: number, action: string, method: string): void {
	const added = linesSince(api, since);
	const failure = added.find((line) => line.startsWith(`error: ${action} failed: `));
	assert.ok(
		failure,
		`"${action}" reported no failure after the engine was killed; logged: ${added.join(" | ") || "nothing"}`
	);
	assert.match(
		failure,
		new RegExp(`killed by SIGKILL during ${method}; it will restart on the next request \\[ENGINE_EXITED\\]`)
	);
	assert.ok(
		added.some((line) => /^error: the Steer engine process was killed by SIGKILL/.test(line)),
		`the engine's exit was not logged; logged: ${added.join(" | ")}`
	);
	assert.ok(
		added.some((line) => /^warn: .*the model and steering are restored on the next request/.test(line)),
		`the log did not say the model comes back on the next request; logged: ${added.join(" | ")}`
	);
	assert.equal(enginePid(api), undefined, "no engine process should run between the crash and the next request");
	assert.equal(api.engine.modelInfo?.modelPath.endsWith(MODEL), true, "the model should still count as loaded");
}

/**
 * The next request restarts the engine with the model restored, and greedy text is unchanged.
 * `crashedAt` (a `linesLogged()` count) starts the log shown when it does not.
 */
async function assertRestartsWithSameText(
	api: SteerApi,
	killedPid: number,
	expected: string,
	crashedAt: number
): Promise<void> {
	const since = api.log.linesLogged();
	const text = await generateAtCursor();
	assert.equal(
		text,
		expected,
		`the restarted engine should continue the prompt as before the crash; logged since the crash: ${linesSince(api, crashedAt).join(" | ")}`
	);
	const pid = enginePid(api);
	assert.ok(
		pid !== undefined && pid !== killedPid,
		`a new engine process should run (killed ${killedPid}, now ${pid})`
	);
	assert.ok(
		linesSince(api, since).some((line) => line === `info: restoring ${MODEL} in the restarted engine`),
		`the restarted engine did not restore the model; logged: ${linesSince(api, since).join(" | ")}`
	);
}

describe("Engine crash: a killed engine costs one request, and the user's files are untouched", function () {
	this.timeout(120_000);
	let api: SteerApi;
	let greedyText: string;

	before(async function () {
		api = await steerWithModelOrSkip(this);
		const text = await generateAtCursor();
		assert.equal(typeof text, "string", `steer.generateAtCursor returned no text: ${lastErrors(api)}`);
		greedyText = text as string;
	});

	after(async () => {
		await vscode.commands.executeCommand("workbench.action.closeAllEditors");
		// The other suites list the datasets folder; a 300-pair file there is this suite's alone.
		await api?.datasets.delete(DATASET).catch(() => undefined);
	});

	it("reports a generation whose engine is killed, inserts nothing, and the next generation gives the same text", async () => {
		const pid = enginePid(api);
		assert.ok(pid !== undefined, "the engine should be running after a generation");
		const editor = await editorWith(PROMPT);
		const since = api.log.linesLogged();
		// The tiny test model finishes a greedy completion in a few milliseconds, too fast to kill
		// mid-token reliably. Stopping the process first makes the kill land while the request is in
		// flight every time; to the extension it is the same: a pending generate whose process died.
		process.kill(pid, "SIGSTOP");
		let generation: Thenable<string | undefined> | undefined;
		try {
			generation = vscode.commands.executeCommand<string | undefined>("steer.generateAtCursor");
			// The command sends its request synchronously up to the process boundary; a short wait
			// covers the host's scheduling.
			await new Promise((resolve) => setTimeout(resolve, 500));
		} finally {
			process.kill(pid, "SIGKILL");
		}
		const result = await generation;
		assert.equal(result, undefined, "the interrupted command should return nothing");
		assertCrashReported(api, since, "Generate Steered Completion", "generate");
		assert.equal(editor.document.getText(), PROMPT, "nothing should be inserted by a generation that failed");

		await assertRestartsWithSameText(api, pid, greedyText, since);
	});

	it("reports a training whose engine is killed mid-capture, leaves the dataset byte-identical and writes no vector", async () => {
		await writeAndLetSteeringSettle(api, () => api.datasets.save(DATASET, generatedPairs()));
		const datasetBytes = await readFile(api.datasets.pathOf(DATASET));
		const vectorsBefore = await vectorFolderEntries();
		const pid = enginePid(api);
		assert.ok(pid !== undefined, "the engine should be running after a generation");

		// Killed from the progress listener, so the kill lands while the capture is known to be running.
		let killedAt: { done: number; total: number } | undefined;
		const subscription = api.training.onDidChange((view) => {
			if (killedAt || !view || view.phase !== "capture" || view.done === 0) return;
			killedAt = { done: view.done, total: view.total };
			process.kill(pid, "SIGKILL");
		});
		const since = api.log.linesLogged();
		let outcome: TrainingOutcome | undefined;
		try {
			outcome = await vscode.commands.executeCommand<TrainingOutcome | undefined>(
				"steer.trainVector",
				DATASET,
				"pca-diff",
				"replace"
			);
		} finally {
			subscription.dispose();
		}
		assert.ok(
			killedAt,
			`the training never reported capture progress, so the engine was not killed: ${lastErrors(api)}`
		);
		assert.ok(
			killedAt.done < killedAt.total,
			`the capture should still have been running when killed (${killedAt.done}/${killedAt.total})`
		);
		assert.equal(outcome, undefined, "the interrupted training should return nothing");
		assertCrashReported(api, since, "Train Vector", "capture");
		assert.equal(api.training.view, undefined, "a failed training must not stay marked as running");

		assert.ok((await readFile(api.datasets.pathOf(DATASET))).equals(datasetBytes), "the dataset file changed");
		assert.deepEqual(
			await vectorFolderEntries(),
			vectorsBefore,
			"the killed training left a file in .steer/vectors"
		);

		await assertRestartsWithSameText(api, pid, greedyText, since);
	});
});
