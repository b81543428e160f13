// Named to run after the editor tests, which start with no model loaded; this file loads one.
// Conditional steering's condition search, end to end through the panel's message path with the tiny
// model: a dogs-vs-cats vector trained here from a few pairs is the condition, story prompts about dogs
// should trigger it and prompts about cats should not; the rule box's check points at the mistake.
import assert from "node:assert/strict";
import { rm } from "node:fs/promises";
import * as vscode from "vscode";
import type { ContrastPair } from "../../../src/datasets";
import type { SteerApi } from "../../../src/vscode/extension";
import type { TrainingOutcome } from "../../../src/vscode/training/trainingRunner";
import type { ConditionSearchView } from "../../../src/shared/webviewProtocol/messages";
import { lastErrors, openPanel, steerFolder, steerWithModelOrSkip, waitFor, recordPosts } from "./steerTestSupport";

const DATASET = "dogs-cats.jsonl";
const PAIRS: ContrastPair[] = [
	["The dog wagged its tail and barked at the ball.", "The cat licked its paw and purred on the mat."],
	["Max the puppy ran to fetch the stick.", "Kitty the cat chased a little mouse."],
	["The big dog dug a hole in the yard.", "The small cat climbed up the tall tree."],
	["Spot the dog was happy to go for a walk.", "Tom the cat was happy to drink his milk."],
	["The puppy chewed on a bone all day.", "The kitten played with a ball of yarn all day."],
	["The dog said woof woof to the boy.", "The cat said meow meow to the girl."]
].map(([positive, negative]) => ({ positive, negative }));

const DOG_PROMPTS = [
	"Once upon a time, there was a dog named Buddy who loved to bark.",
	"The little puppy wagged his tail and fetched the ball.",
	"Lily had a big brown dog. The dog liked to dig in the garden.",
	"A dog ran in the park and barked at the birds."
];
const CAT_PROMPTS = [
	"Once upon a time, there was a cat named Mittens who loved to purr.",
	"The little kitten played with a ball of yarn.",
	"Lily had a soft white cat. The cat liked to sleep in the sun.",
	"A cat sat on the wall and said meow to the birds."
];

/** Collects what the host posts to the panel until `dispose`. */
describe("Vectors: condition search and rules", function () {
	this.timeout(120_000);
	let api: SteerApi;
	let vectorFileName: string;

	before(async function () {
		api = await steerWithModelOrSkip(this);
		await api.datasets.save(DATASET, PAIRS);
		await openPanel(api);
		const outcome = await vscode.commands.executeCommand<TrainingOutcome | undefined>(
			"steer.trainVector",
			DATASET,
			"pca-diff",
			"replace"
		);
		assert.ok(outcome, `training the dogs-vs-cats vector failed: ${lastErrors(api)}`);
		vectorFileName = outcome.vectorFileName;
		// Training sets the suggested layers as the vector's range; search all of its layers here.
		await api.panel.receive({ type: "setVectorLayerRange", fileName: vectorFileName, range: null });
	});

	// The vector and its dataset are this file's own; later files should find the library as it was.
	after(async () => {
		if (!api || !vectorFileName) return;
		await rm(steerFolder("vectors", vectorFileName), { force: true });
		await api.datasets.delete(DATASET);
		await api.refreshVectors();
	});

	it("finds the best layer, threshold and direction for dog stories against cat stories", async () => {
		const posts = recordPosts(api);
		const thresholdRange: [number, number] = [0, 0.6];
		try {
			const accepted = await api.panel.receive({
				type: "searchCondition",
				fileName: vectorFileName,
				positives: DOG_PROMPTS,
				negatives: CAT_PROMPTS,
				thresholdRange,
				step: 0.005
			});
			assert.equal(accepted, true);
			const done = await waitFor(
				"the search's result",
				() =>
					posts.sent.find(
						(message) => message.type === "conditionFound" || message.type === "conditionFailed"
					),
				60_000
			);
			assert.equal(done.type, "conditionFound", done.type === "conditionFailed" ? done.message : "");
			const search = (done as { search: ConditionSearchView }).search;
			const vectorLayers = [...api.library.get(vectorFileName)!.vector.directions.keys()].sort((a, b) => a - b);
			assert.deepEqual(search.layers, vectorLayers, "every layer of the vector is searched");
			assert.equal(search.positives, DOG_PROMPTS.length);
			assert.equal(search.negatives, CAT_PROMPTS.length);
			const { best } = search;
			assert.ok(best.f1 >= 0 && best.f1 <= 1, `F1 ${best.f1}`);
			assert.ok(vectorLayers.includes(best.layer), `best layer ${best.layer} is not one searched`);
			assert.ok(
				best.threshold >= thresholdRange[0] && best.threshold <= thresholdRange[1],
				`threshold ${best.threshold} outside the range`
			);
			assert.ok(best.direction === "larger" || best.direction === "smaller");
			assert.deepEqual(
				search.perLayer.map((point) => point.layer),
				vectorLayers,
				"one row per layer searched"
			);
			for (const point of search.perLayer) {
				assert.ok(
					point.f1 >= 0 && point.f1 <= 1 && point.f1 <= best.f1,
					`layer ${point.layer}: F1 ${point.f1} against the best ${best.f1}`
				);
			}
			assert.deepEqual(
				search.perLayer.find((point) => point.layer === best.layer),
				best,
				"the best point is its layer's best"
			);
			// Always-on ("larger" than 0) already scores 2·4/(4+8) = 0.67; the vector must do at least that well.
			assert.ok(best.f1 >= 2 / 3 - 1e-9, `F1 ${best.f1} is below the trivial always-on check`);
			const progress = posts.sent.filter((message) => message.type === "conditionProgress");
			assert.ok(progress.length > 0, "progress was never reported");
			assert.deepEqual(progress.at(-1), { type: "conditionProgress", done: 8, total: 8 });
		} finally {
			posts.dispose();
		}
	});

	it("says what is missing when a list is only blank lines", async () => {
		const posts = recordPosts(api);
		try {
			await api.panel.receive({
				type: "searchCondition",
				fileName: vectorFileName,
				positives: DOG_PROMPTS,
				negatives: ["  "],
				thresholdRange: [0, 1],
				step: 0.01
			});
			const failed = await waitFor("the search's refusal", () =>
				posts.sent.find((message) => message.type === "conditionFailed")
			);
			assert.match(
				(failed as { message: string }).message,
				/at least one prompt where the condition should hold and one where it should not/
			);
		} finally {
			posts.dispose();
		}
	});

	it("checks rules as typed, pointing at the column of a mistake", async () => {
		const posts = recordPosts(api);
		try {
			for (const source of ["if C1 then B1", "if C1 and not C2 then B2", "if C1 and then B1", "if C1 then X1"]) {
				assert.equal(await api.panel.receive({ type: "checkRule", source }), true);
			}
			const checks = posts.sent.filter((message) => message.type === "ruleChecked");
			assert.deepEqual(checks.slice(0, 2), [
				{ type: "ruleChecked", source: "if C1 then B1", ok: true },
				{ type: "ruleChecked", source: "if C1 and not C2 then B2", ok: true }
			]);
			assert.deepEqual(checks[2], {
				type: "ruleChecked",
				source: "if C1 and then B1",
				ok: false,
				message: 'expected a condition such as C1, "not" or "(" but found "then"',
				column: 11
			});
			assert.deepEqual(checks[3], {
				type: "ruleChecked",
				source: "if C1 then X1",
				ok: false,
				message: 'expected a behaviour such as B1 after "then" but found "X1"',
				column: 12
			});
		} finally {
			posts.dispose();
		}
	});

	it("refuses condition messages beyond the caps at the boundary", async () => {
		for (const [message, reason] of [
			[
				{
					type: "searchCondition",
					fileName: "x.gguf",
					positives: Array.from({ length: 65 }, () => "dog"),
					negatives: ["cat"],
					thresholdRange: [0, 1],
					step: 0.01
				},
				/more than 64/
			],
			[
				{
					type: "searchCondition",
					fileName: "x.gguf",
					positives: ["dog"],
					negatives: ["cat"],
					thresholdRange: [0, 1],
					step: 0
				},
				/step must be between/
			],
			[{ type: "checkRule", source: "if C1 then B1 ".repeat(100) }, /longer than 500/]
		] as const) {
			assert.equal(await api.panel.receive(message), false);
			assert.match(api.log.recentLines().at(-1) ?? "", reason);
		}
	});
});
