/**
 * Conditional steering (CAST) on the reference instruct model: a condition vector trained on
 * mean-pooled questions about cooking against questions on other topics keeps a direction at every
 * steerable layer, the layer × threshold search covers all of them, and the check it chooses fires on
 * most new cooking questions and few others. The questions judged here are this file's own: none of
 * them trained the vector, chose its layer and threshold, or tuned anything in
 * scripts/condition-figures.ts. The same search on shuffled labels must fail the same criterion.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { EngineClient } from "../../src/engine/client";
import { engineHiddenStateSource } from "../../src/engine/hiddenStateSource";
import type { ModelInfo } from "../../src/engine/protocol";
import {
	captureMeans,
	trainConditionVector,
	type ConditionVector
} from "../../src/steering/conditions/conditionVector";
import { loadConditionVector, saveConditionVector } from "../../src/steering/conditions/conditionVectorFile";
import { findBestCondition, type ConditionSearchResult } from "../../src/steering/conditions/gridSearch";
import { evaluateCondition, type ConditionEvaluation } from "../../src/steering/conditions/heldOut";
import type { HiddenStateSource } from "../../src/steering/pipeline/hiddenStateSource";
import { cookingQuestions, otherQuestions } from "../../scripts/condition-prompts";
import { cachedModelOrSkip, repoRoot, seededRandom } from "../helpers/testModels";

const heldOutCooking = [
	"How do I make a creamy mushroom sauce?",
	"How long should I bake chicken thighs?",
	"How do I cook a pot of oatmeal on the stove?",
	"How do I make a fruit crumble?",
	"How do I make fried rice with leftover rice?",
	"How do I cook shrimp in garlic and butter?",
	"What flour should I use for homemade pasta?",
	"How do I roast vegetables so they get crispy?",
	"How do I make a cheese sauce for macaroni?",
	"How do I bake muffins that rise well?",
	"How long should I boil potatoes before mashing them?",
	"How do I make a marinade for pork chops?",
	"How do I cook lamb chops in a pan?",
	"How do I make a lemon cake from scratch?",
	"How do I make dumplings for soup?",
	"What is the trick to frying an egg with a runny yolk?",
	"How do I make a curry with coconut milk?",
	"How do I bake a loaf of banana bread?",
	"How do I cook corn on the cob?",
	"How do I make a stuffing for a turkey?"
];

const heldOutOther = [
	"How do I replace a light bulb in a ceiling lamp?",
	"What is the capital city of Canada?",
	"How do tides work?",
	"How do I write a resume with no experience?",
	"Why do we dream when we sleep?",
	"How do I jump start a car battery?",
	"What is the difference between a meteor and a comet?",
	"How can I stop procrastinating?",
	"How do I set up a budget spreadsheet?",
	"Who invented the telephone?",
	"How do I teach a child to ride a bike?",
	"What causes thunder during a storm?",
	"How do I clean a wooden floor?",
	"How many bones are in the human body?",
	"How can I improve my handwriting?",
	"What is the purpose of a firewall on a computer?",
	"How do I care for a cactus?",
	"Why does ice float on water?",
	"How do I prepare for a job interview?",
	"What is the longest river in Africa?"
];

/** Most new prompts of the kind, few others: CAST's paper reports 83% against 2.4%. */
const MIN_FIRES_ON_KIND = 0.7;
const MAX_FIRES_ON_OTHERS = 0.2;

const meetsCriterion = (judged: ConditionEvaluation) =>
	judged.firesOnPositives >= MIN_FIRES_ON_KIND && judged.firesOnNegatives <= MAX_FIRES_ON_OTHERS;

describe("conditional steering on SmolLM2-135M-Instruct", function () {
	this.timeout(240_000);
	let engine: EngineClient;
	let info: ModelInfo;
	let folder: string;
	let layers: number[];
	let statesOf: (texts: readonly string[]) => Map<number, Float32Array>[];
	let cached: HiddenStateSource;
	let condition: ConditionVector;
	let search: ConditionSearchResult;

	before(async function () {
		const modelPath = cachedModelOrSkip(this, "SmolLM2-135M-Instruct.Q4_1.gguf");
		engine = new EngineClient({ steerRoot: repoRoot });
		info = await engine.loadModel({ modelPath, gpu: false, threads: 1, contextSize: 256 });
		folder = mkdtempSync(path.join(tmpdir(), "steer-condition-"));
		layers = Array.from({ length: info.nLayer - 1 }, (_, i) => i + 1);
		// Every question read once at every layer; training and search reuse the states.
		const prompts = [...cookingQuestions, ...otherQuestions, ...heldOutCooking, ...heldOutOther];
		const means = await captureMeans(prompts, engineHiddenStateSource(engine), layers, info.nEmbd);
		const slotOf = new Map(prompts.map((prompt, slot) => [prompt, slot]));
		const rowOf = (text: string, layerSlot: number) => {
			const slot = slotOf.get(text);
			assert.ok(slot !== undefined, `not read: ${text}`);
			return means[layerSlot]!.subarray(slot * info.nEmbd, (slot + 1) * info.nEmbd);
		};
		statesOf = (texts) => texts.map((text) => new Map(layers.map((layer, slot) => [layer, rowOf(text, slot)])));
		cached = {
			capture: async (items, options) =>
				items.map(({ text }) =>
					options.layers.map((layer) => ({ layer, hidden: rowOf(text, layers.indexOf(layer)).slice() }))
				)
		};
	});

	after(async () => {
		await engine?.dispose();
		if (folder) rmSync(folder, { recursive: true, force: true });
	});

	it("trains a condition vector that keeps all 29 steerable layers, and saves it marked as one", async () => {
		assert.equal(info.nLayer, 30);
		const trained = await trainConditionVector(cookingQuestions, otherQuestions, cached, {
			nLayer: info.nLayer,
			nEmbd: info.nEmbd,
			modelHint: info.architecture
		});
		assert.deepEqual(
			[...trained.vector.directions.keys()].sort((a, b) => a - b),
			layers
		);
		const file = path.join(folder, "cooking.gguf");
		await saveConditionVector(file, trained);
		condition = await loadConditionVector(file);
		assert.deepEqual(
			[...condition.vector.directions.keys()].sort((a, b) => a - b),
			layers
		);
		assert.equal(condition.method, "mean-diff");
		assert.deepEqual(condition.positions, { select: "all", mean: true });
		assert.equal(condition.positiveCount, cookingQuestions.length);
		assert.equal(condition.diagnostics.length, 29);
		for (const layer of layers)
			assert.deepEqual(condition.vector.directions.get(layer), trained.vector.directions.get(layer));
	});

	it("searches every layer, and the chosen check fires on most held-out cooking questions and few others", () => {
		assert.ok(condition, "the condition vector was trained");
		search = findBestCondition(
			statesOf(cookingQuestions),
			statesOf(otherQuestions),
			condition.vector,
			[1, info.nLayer - 1],
			[0, 1],
			0.001
		);
		assert.deepEqual([...search.similarities.keys()], layers);
		assert.deepEqual([...new Set(search.table.map((point) => point.layer))], layers);
		const { best } = search;
		const judged = evaluateCondition(statesOf(heldOutCooking), statesOf(heldOutOther), condition.vector, {
			layers: [best.layer],
			threshold: best.threshold,
			direction: best.direction
		});
		const summary = `layer ${best.layer} ${best.direction} ${best.threshold.toFixed(3)} (search F1 ${best.f1.toFixed(3)}): fires on ${judged.truePositives}/${judged.positives} cooking and ${judged.falsePositives}/${judged.negatives} other held-out questions, F1 ${judged.f1.toFixed(3)}`;
		console.log(`      ${summary}`);
		assert.ok(judged.firesOnPositives >= MIN_FIRES_ON_KIND, summary);
		assert.ok(judged.firesOnNegatives <= MAX_FIRES_ON_OTHERS, summary);
	});

	it("fails the same criterion when the training and search labels are shuffled", async () => {
		const random = seededRandom(13);
		const everyone = [...cookingQuestions, ...otherQuestions];
		for (let i = everyone.length - 1; i > 0; i--) {
			const j = Math.floor(random() * (i + 1));
			[everyone[i], everyone[j]] = [everyone[j]!, everyone[i]!];
		}
		const fakeKind = everyone.slice(0, cookingQuestions.length);
		const fakeOthers = everyone.slice(cookingQuestions.length);
		const shuffled = await trainConditionVector(fakeKind, fakeOthers, cached, {
			nLayer: info.nLayer,
			nEmbd: info.nEmbd,
			modelHint: info.architecture
		});
		const { best } = findBestCondition(
			statesOf(fakeKind),
			statesOf(fakeOthers),
			shuffled.vector,
			[1, info.nLayer - 1],
			[0, 1],
			0.001
		);
		const judged = evaluateCondition(statesOf(heldOutCooking), statesOf(heldOutOther), shuffled.vector, {
			layers: [best.layer],
			threshold: best.threshold,
			direction: best.direction
		});
		assert.equal(
			meetsCriterion(judged),
			false,
			`shuffled labels: fires on ${judged.truePositives}/${judged.positives} cooking and ${judged.falsePositives}/${judged.negatives} others`
		);
	});
});
