import assert from "node:assert/strict";
import * as vscode from "vscode";
import type { SteerApi } from "../../../src/vscode/extension";
import { killEngineProcess } from "../../helpers/killEngine";
import { editorWith, lastErrors, MODEL, steerWithModelOrSkip, waitFor } from "./steerTestSupport";

const PROMPT = "Once upon a time, there was a little girl named Lily. She";

/** The Steer log lines added since `since` (a `linesLogged()` count). */
function linesSince(api: SteerApi, since: number): string[] {
	const lines = api.log.recentLines();
	return lines.slice(Math.max(0, lines.length - (api.log.linesLogged() - since)));
}

/** Kills the running engine and waits until the client has seen it die. */
async function killEngine(api: SteerApi): Promise<void> {
	const { client } = api.engine.requireModel();
	// A request (re)starts the engine, with the model restored, when none runs.
	await client.modelInfo();
	await killEngineProcess(client);
}

describe("Engine crash loop: after 3 crashes within 60 s Steer stops restarting, says so once, and Restart Engine brings it back", function () {
	this.timeout(120_000);
	let api: SteerApi;

	before(async function () {
		api = await steerWithModelOrSkip(this);
		// Earlier suites kill the engine too; each crash loop is counted from a restart.
		const info = await vscode.commands.executeCommand<{ modelPath: string }>("steer.restartEngine");
		assert.ok(info?.modelPath.endsWith(MODEL), `Restart Engine did not give the model back: ${lastErrors(api)}`);
	});

	after(async () => {
		await vscode.commands.executeCommand("workbench.action.closeAllEditors");
		// Whatever happened, the next suites get a working engine.
		if (api?.engine.crashLoop) await vscode.commands.executeCommand("steer.restartEngine");
	});

	it("contributes and registers steer.restartEngine in the Steer category", async () => {
		const extension = vscode.extensions.getExtension("steer.steer");
		const contributed = (
			extension?.packageJSON as {
				contributes: { commands: { command: string; title: string; category: string }[] };
			}
		).contributes.commands;
		assert.deepEqual(
			contributed.find((command) => command.command === "steer.restartEngine"),
			{ command: "steer.restartEngine", title: "Restart Engine", category: "Steer" }
		);
		assert.ok((await vscode.commands.getCommands(true)).includes("steer.restartEngine"));
	});

	it("restarts after two crashes, and after the third fails fast, shows it in the status bar and notifies once", async () => {
		const noticesBefore = api.crashLoopNotices().length;
		await killEngine(api);
		await killEngine(api);
		assert.equal(api.engine.crashLoop, undefined, "two crashes should not stop the restarts");
		assert.equal(api.crashLoopNotices().length, noticesBefore);
		assert.doesNotMatch(api.statusBar().text, /engine stopped/);

		await killEngine(api);
		const loop = await waitFor("the crash loop to be noticed", () => api.engine.crashLoop);
		assert.equal(loop.crashes, 3);
		assert.match(loop.lastCause, /killed by SIGKILL/);

		const bar = api.statusBar();
		assert.equal(bar.text, "$(error) Steer: engine stopped");
		assert.equal(bar.background, "statusBarItem.errorBackground");
		assert.equal(bar.command, "steer.restartEngine");
		assert.match(bar.tooltip, /the engine crashed 3 times in 60 s; Steer stopped restarting it/);
		assert.match(bar.tooltip, /Last crash: the Steer engine process was killed by SIGKILL/);

		const notices = api.crashLoopNotices().slice(noticesBefore);
		assert.deepEqual(notices, [
			{
				message:
					'Steer: the engine crashed 3 times in 60 s; Steer stopped restarting it — see the log, then run "Steer: Restart Engine".',
				buttons: ["Show Log", "Restart Engine"]
			}
		]);

		// Generating now fails at once with the crash-loop code, and starts no engine.
		await editorWith(PROMPT);
		const since = api.log.linesLogged();
		const startedAt = Date.now();
		const result = await vscode.commands.executeCommand<string | undefined>("steer.generateAtCursor");
		assert.equal(result, undefined, "a generation during a crash loop should return nothing");
		assert.ok(
			Date.now() - startedAt < 5000,
			`the generation took ${Date.now() - startedAt} ms to fail; it should fail at once`
		);
		const failure = linesSince(api, since).find((line) =>
			line.startsWith("error: Generate Steered Completion failed: ")
		);
		assert.ok(failure, `the generation reported no failure; logged: ${linesSince(api, since).join(" | ")}`);
		assert.match(
			failure,
			/the engine crashed 3 times in 60 s; Steer stopped restarting it .* \[ENGINE_CRASH_LOOP\]$/
		);
		assert.equal(
			api.engine.requireModel().client.pid,
			undefined,
			"no engine process should be started during a crash loop"
		);
		assert.equal(api.crashLoopNotices().length, noticesBefore + 1, "failing requests must not notify again");
		assert.equal(api.engine.modelInfo?.modelPath.endsWith(MODEL), true, "the model should still count as loaded");
	});

	it("Restart Engine clears the crash loop, restores the model, and generation works again", async () => {
		assert.ok(api.engine.crashLoop, "the previous test should have left a crash loop");
		const info = await vscode.commands.executeCommand<{ modelPath: string }>("steer.restartEngine");
		assert.ok(info?.modelPath.endsWith(MODEL), `Restart Engine failed: ${lastErrors(api)}`);
		assert.equal(api.engine.crashLoop, undefined);
		assert.ok(api.engine.requireModel().client.pid !== undefined, "the engine should run again");
		const bar = api.statusBar();
		assert.doesNotMatch(bar.text, /engine stopped/);
		assert.notEqual(bar.background, "statusBarItem.errorBackground");
		assert.equal(bar.command, "steer.toggleSteering");

		await editorWith(PROMPT);
		const text = await vscode.commands.executeCommand<string | undefined>("steer.generateAtCursor");
		assert.equal(typeof text, "string", `generation after Restart Engine failed: ${lastErrors(api)}`);
	});
});
