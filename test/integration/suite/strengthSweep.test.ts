// The playground's strength sweep, end to end through the panel's message path with the tiny model:
// one row per strength (0 added as the baseline), real perplexities, the suggestion consistent with the
// rows, and refusals that say what to fix.
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import * as vscode from "vscode";
import { saveControlVectorFile } from "../../../src/steering/gguf/controlVectorFile";
import { measuredStrengths, strengthWarning } from "../../../src/steering/strengthRange";
import type { SteerApi } from "../../../src/vscode/extension";
import { STRENGTH_SLIDER_LIMIT, type SweepView } from "../../../src/shared/webviewProtocol/messages";
import { openPanel, steerFolder, steerWithModelOrSkip, waitFor, recordPosts } from "./steerTestSupport";

const VECTOR = "sweep-push.gguf";

/** Collects what the host posts to the panel until `dispose`. */
describe("Playground: strength sweep", function () {
	this.timeout(120_000);
	let api: SteerApi;

	before(async function () {
		api = await steerWithModelOrSkip(this);
		await openPanel(api);
		const info = api.engine.requireModel().info;
		await mkdir(steerFolder("vectors"), { recursive: true });
		const layers = [1, Math.min(2, info.nLayer - 1)];
		const directions = new Map(
			layers.map((layer) => [
				layer,
				Float32Array.from({ length: info.nEmbd }, (_, i) => Math.sin(i * 0.7 + layer))
			])
		);
		await saveControlVectorFile(
			steerFolder("vectors", VECTOR),
			{ nEmbd: info.nEmbd, directions },
			{ modelHint: "llama" }
		);
		await api.refreshVectors();
		assert.ok(api.library.get(VECTOR), "the written vector was not picked up");
	});

	/** Sends a sweep from the panel and returns what the host answers when it is done. */
	async function sweepFromPanel(
		posts: ReturnType<typeof recordPosts>,
		prompt: string,
		strengths: number[],
		maxTokens: number
	): Promise<SweepView> {
		const accepted = await api.panel.receive({
			type: "sweepStrengths",
			fileName: VECTOR,
			prompt,
			strengths,
			keywords: ["happy", "play", "park"],
			judge: "",
			maxTokens
		});
		assert.equal(accepted, true);
		const done = await waitFor(
			"the sweep's result",
			() => posts.sent.find((message) => message.type === "sweepDone" || message.type === "sweepFailed"),
			90_000
		);
		assert.equal(done.type, "sweepDone", done.type === "sweepFailed" ? done.message : "");
		return (done as { sweep: SweepView }).sweep;
	}

	it("answers with one row per strength, perplexities, and a suggestion that the rows bear out", async () => {
		const posts = recordPosts(api);
		try {
			// 0.001 writes the unsteered text (same seeds), so it is admissible and a suggestion must exist.
			const sweep = await sweepFromPanel(
				posts,
				"Once upon a time, there was a little girl named Lily. She",
				[0.001, 2, 40],
				12
			);
			assert.equal(sweep.vectorFileName, VECTOR);
			assert.equal(sweep.effectMeasure, "keywords");
			assert.deepEqual(
				sweep.rows.map((row) => row.strength),
				[0, 0.001, 2, 40],
				"the baseline strength 0 is added and rows ascend"
			);
			for (const row of sweep.rows) {
				assert.ok(
					row.perplexity !== null && row.perplexity >= 1,
					`strength ${row.strength}: perplexity ${row.perplexity}`
				);
				assert.ok(row.effect !== null && row.effect >= 0, `strength ${row.strength}: effect ${row.effect}`);
			}
			const [baseline, nearZero] = sweep.rows;
			assert.equal(nearZero!.sample, baseline!.sample, "strength 0.001 should not change the text");
			assert.equal(nearZero!.perplexity, baseline!.perplexity);
			assert.equal(nearZero!.fluent, baseline!.fluent, "the same text is as fluent as the baseline");

			// Text and perplexity identical to the unsteered ones cannot be degenerate, so a suggestion
			// exists, and it is the strongest strength reached without crossing a degenerate one: no
			// row above it is fluent.
			const suggested = sweep.suggestedMaxStrength;
			assert.ok(suggested !== null && suggested >= 0.001, `suggested ${suggested}`);
			assert.ok(
				sweep.rows.some((row) => row.strength === suggested),
				"the suggestion is one of the strengths swept"
			);
			const stronger = sweep.rows.filter((row) => row.strength > suggested);
			assert.ok(
				stronger.every((row) => !row.fluent),
				`a fluent row above the suggestion ${suggested} should have been suggested`
			);
			assert.ok(
				posts.sent.some((message) => message.type === "sweepProgress"),
				"progress was never reported"
			);
		} finally {
			posts.dispose();
		}
	});

	it("suggests no strength when even the smallest one breaks the text", async () => {
		const posts = recordPosts(api);
		try {
			// At the largest strength the panel accepts, the push swamps the hidden state and the model
			// repeats one piece: far beyond 1.5× the unsteered perplexity.
			const sweep = await sweepFromPanel(posts, "Once upon a time", [1000], 12);
			assert.deepEqual(
				sweep.rows.map((row) => row.strength),
				[0, 1000]
			);
			const [baseline, broken] = sweep.rows;
			assert.ok(
				broken!.perplexity === null || broken!.perplexity > 1.5 * baseline!.perplexity!,
				`perplexity ${broken!.perplexity} at strength 1000 against ${baseline!.perplexity} unsteered`
			);
			assert.equal(broken!.fluent, false);
			assert.equal(sweep.suggestedMaxStrength, null);
		} finally {
			posts.dispose();
		}
	});

	it("remembers what the sweep measured, and warns about a strength beyond it", async () => {
		const posts = recordPosts(api);
		let sweep: SweepView;
		try {
			await api.panel.receive({
				type: "sweepStrengths",
				fileName: VECTOR,
				prompt: "Once upon a time",
				strengths: [1, 40],
				keywords: ["happy"],
				judge: "",
				maxTokens: 8
			});
			const done = await waitFor(
				"the sweep's result",
				() => posts.sent.find((message) => message.type === "sweepDone" || message.type === "sweepFailed"),
				90_000
			);
			assert.equal(done.type, "sweepDone", done.type === "sweepFailed" ? done.message : "");
			sweep = (done as { sweep: SweepView }).sweep;
		} finally {
			posts.dispose();
		}
		assert.deepEqual(api.steering.choiceOf(VECTOR).measured, measuredStrengths(sweep.rows));
		assert.equal(api.steering.choiceOf(VECTOR).strength, 1);
		assert.equal(
			api.steering.strengthWarning(VECTOR),
			strengthWarning("sweep-push", 1, measuredStrengths(sweep.rows), STRENGTH_SLIDER_LIMIT)
		);

		// Set Steering Strength takes 1000 (the user may mean it) and says what was measured.
		const linesBefore = api.log.linesLogged();
		assert.equal(await vscode.commands.executeCommand("steer.setStrength", 1000, VECTOR), 1000);
		assert.equal(api.steering.choiceOf(VECTOR).strength, 1000);
		const warning = api.steering.strengthWarning(VECTOR);
		assert.match(warning ?? "", /strength 1000|at strength 1000/);
		assert.match(warning ?? "", /in the last sweep, which went up to 40/);
		const logged = api.log.recentLines().slice(-(api.log.linesLogged() - linesBefore));
		assert.ok(
			logged.some((line) => line.startsWith("warn:") && line.includes(warning!)),
			`the warning was not logged: ${logged.join(" | ")}`
		);

		// The panel shows the same warning and the measured range beside the slider.
		const state = recordPosts(api);
		try {
			await api.panel.receive({ type: "ready" });
			const view = await waitFor("the panel state", () => {
				const message = state.sent.find((posted) => posted.type === "state");
				return message?.type === "state"
					? message.state.vectors.find((vector) => vector.fileName === VECTOR)
					: undefined;
			});
			assert.equal(view.strengthWarning, warning);
			assert.deepEqual(view.measured, measuredStrengths(sweep.rows));
		} finally {
			state.dispose();
		}
		await api.steering.setStrength(VECTOR, 1);
	});

	it("refuses a sweep with nothing to measure, saying what to give", async () => {
		const posts = recordPosts(api);
		try {
			await api.panel.receive({
				type: "sweepStrengths",
				fileName: VECTOR,
				prompt: "Once upon a time",
				strengths: [2],
				keywords: [" "],
				judge: "",
				maxTokens: 8
			});
			const failed = await waitFor("the sweep's refusal", () =>
				posts.sent.find((message) => message.type === "sweepFailed")
			);
			assert.match((failed as { message: string }).message, /concept words or a trait/);
		} finally {
			posts.dispose();
		}
	});

	it("stops when asked", async () => {
		const posts = recordPosts(api);
		try {
			const running = api.panel.receive({
				type: "sweepStrengths",
				fileName: VECTOR,
				prompt: "Once upon a time",
				strengths: [1, 2, 3, 4, 5, 6, 7, 8],
				keywords: [],
				judge: "happy",
				maxTokens: 64
			});
			await waitFor(
				"the sweep to start",
				() => posts.sent.find((message) => message.type === "sweepProgress"),
				30_000
			);
			await api.panel.receive({ type: "cancelSweep" });
			await running;
			const outcome = await waitFor("the sweep's end", () =>
				posts.sent.find((message) => message.type === "sweepDone" || message.type === "sweepFailed")
			);
			assert.deepEqual(outcome, { type: "sweepFailed", message: "sweep stopped" });
		} finally {
			posts.dispose();
		}
	});

	it("refuses hostile sweep messages at the boundary", async () => {
		for (const [message, reason] of [
			[
				{
					type: "sweepStrengths",
					fileName: VECTOR,
					prompt: "x",
					strengths: Array.from({ length: 100 }, (_, i) => i),
					keywords: [],
					judge: "happy",
					maxTokens: 8
				},
				/more than 16/
			],
			[
				{
					type: "sweepStrengths",
					fileName: VECTOR,
					prompt: "x",
					strengths: [],
					keywords: [],
					judge: "happy",
					maxTokens: 8
				},
				/at least one strength/
			],
			[
				{
					type: "sweepStrengths",
					fileName: VECTOR,
					prompt: "x",
					strengths: [1],
					keywords: [],
					judge: "happy",
					maxTokens: 100_000
				},
				/maxTokens must be between/
			],
			[
				{
					type: "sweepStrengths",
					fileName: "../x.gguf",
					prompt: "x",
					strengths: [1],
					keywords: [],
					judge: "happy",
					maxTokens: 8
				},
				/fileName refused/
			]
		] as const) {
			assert.equal(await api.panel.receive(message), false);
			assert.match(api.log.recentLines().at(-1) ?? "", reason);
		}
	});
});
