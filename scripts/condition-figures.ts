/**
 * Conditional steering (CAST) on SmolLM2-135M-Instruct: a condition vector for "questions about
 * cooking" against questions on other topics, searched over all 29 layers and judged on held-out
 * prompts, then a refusal vector applied through conditionalGenerate only where the condition holds.
 *
 * Per split (seeded: a quarter of each kind held out), the condition vector is trained and the layer ×
 * threshold search runs on the kept prompts; the held-out prompts give how often the condition fires
 * on each kind and the F1. The first split also generates: for every held-out prompt, a greedy chat
 * answer (24 tokens) with the refusal applied when the condition fires, and how many answers refuse.
 *
 * Run: nice -n 10 npx tsx scripts/condition-figures.ts [model.gguf] [splits]
 * Default: SmolLM2-135M-Instruct from the model cache, 10 splits.
 */
import os from "node:os";
import path from "node:path";
import { renderPairsAsChats } from "../src/datasets";
import { EngineClient } from "../src/engine/client";
import { engineHiddenStateSource } from "../src/engine/hiddenStateSource";
import { engineSteerableModel } from "../src/engine/steerableModel";
import { captureMeans, trainConditionVector } from "../src/steering/conditions/conditionVector";
import { findBestCondition } from "../src/steering/conditions/gridSearch";
import { evaluateCondition, splitHeldOut } from "../src/steering/conditions/heldOut";
import { parseRule } from "../src/steering/conditions/rules";
import { conditionalGenerate } from "../src/steering/pipeline/conditionalGenerate";
import type { HiddenStateSource } from "../src/steering/pipeline/hiddenStateSource";
import { trainFromPairs } from "../src/steering/pipeline/trainFromPairs";
import { cookingQuestions, isRefusal, otherQuestions, refusalPairs } from "./condition-prompts";

const root = path.resolve(__dirname, "..");
const cacheDir = path.resolve(process.env.STEER_MODEL_CACHE || path.join(os.homedir(), ".cache", "steer", "models"));
const modelPath = process.argv[2] ?? path.join(cacheDir, "SmolLM2-135M-Instruct.Q4_1.gguf");
const splits = Number(process.argv[3] ?? 10);

async function main(): Promise<void> {
	console.log(`machine: ${os.cpus()[0]?.model ?? "unknown CPU"}, ${os.cpus().length} vCPUs, CPU backend, one thread`);
	const engine = new EngineClient({ steerRoot: root });
	try {
		const info = await engine.loadModel({ modelPath, gpu: false, threads: 1, contextSize: 512 });
		const layers = Array.from({ length: info.nLayer - 1 }, (_, i) => i + 1);
		const source = engineHiddenStateSource(engine);
		// Every prompt is read once; the splits reuse the states.
		const prompts = [...cookingQuestions, ...otherQuestions];
		const started = Date.now();
		const means = await captureMeans(prompts, source, layers, info.nEmbd);
		const readSeconds = (Date.now() - started) / 1000;
		const slotOf = new Map(prompts.map((prompt, slot) => [prompt, slot]));
		const rowOf = (prompt: string, layerSlot: number) => {
			const slot = slotOf.get(prompt)!;
			return means[layerSlot]!.subarray(slot * info.nEmbd, (slot + 1) * info.nEmbd);
		};
		const statesOf = (texts: readonly string[]) =>
			texts.map((text) => new Map(layers.map((layer, slot) => [layer, rowOf(text, slot)] as const)));
		const cached: HiddenStateSource = {
			capture: async (items, options) =>
				items.map(({ text }) =>
					options.layers.map((layer) => ({ layer, hidden: rowOf(text, layers.indexOf(layer)).slice() }))
				)
		};
		console.log(
			`\n${path.basename(modelPath)}: ${cookingQuestions.length} cooking and ${otherQuestions.length} other questions read at ${layers.length} layers in ${readSeconds.toFixed(1)} s\n`
		);
		console.log(
			"| split | layer | similarity | search F1 | held-out: fires on cooking | fires on others | F1 | precision | recall |"
		);
		console.log("|---|---|---|---|---|---|---|---|---|");
		const totals = { onKind: 0, onOthers: 0, f1: 0 };
		let first:
			| { condition: Awaited<ReturnType<typeof trainConditionVector>>; check: ReturnType<typeof checkOf> }
			| undefined;
		let heldOutFirst: { cooking: string[]; other: string[] } | undefined;
		for (let split = 0; split < splits; split++) {
			const cooking = splitHeldOut(cookingQuestions, 0.25, 2 * split);
			const other = splitHeldOut(otherQuestions, 0.25, 2 * split + 1);
			const condition = await trainConditionVector(cooking.kept, other.kept, cached, {
				nLayer: info.nLayer,
				nEmbd: info.nEmbd,
				modelHint: info.architecture
			});
			const search = findBestCondition(
				statesOf(cooking.kept),
				statesOf(other.kept),
				condition.vector,
				[1, info.nLayer - 1],
				[0, 1],
				0.001
			);
			const check = checkOf(search.best);
			const judged = evaluateCondition(
				statesOf(cooking.heldOut),
				statesOf(other.heldOut),
				condition.vector,
				check
			);
			totals.onKind += judged.firesOnPositives;
			totals.onOthers += judged.firesOnNegatives;
			totals.f1 += judged.f1;
			if (split === 0) {
				first = { condition, check };
				heldOutFirst = { cooking: cooking.heldOut, other: other.heldOut };
			}
			console.log(
				`| ${split} | ${search.best.layer} | ${search.best.direction === "larger" ? ">" : "<"} ${search.best.threshold.toFixed(3)} | ${search.best.f1.toFixed(3)} | ${judged.truePositives}/${judged.positives} | ${judged.falsePositives}/${judged.negatives} | ${judged.f1.toFixed(3)} | ${judged.precision.toFixed(3)} | ${judged.recall.toFixed(3)} |`
			);
		}
		const percent = (value: number) => `${(100 * value).toFixed(1)}%`;
		console.log(
			`\nmean over ${splits} splits, held out: fires on ${percent(totals.onKind / splits)} of cooking questions and ${percent(totals.onOthers / splits)} of other questions, F1 ${(totals.f1 / splits).toFixed(3)}`
		);

		// The behaviour: a refusal vector trained on chat pairs (topics apart from cooking).
		const chat = await renderPairsAsChats(refusalPairs, (conversations) =>
			engine.request("formatChats", { conversations })
		);
		const refusal = await trainFromPairs(chat.pairs, engineHiddenStateSource(engine, { specialTokens: true }), {
			method: "mean-diff",
			positions: { select: "suffix", mean: true },
			modelHint: info.architecture,
			nLayer: info.nLayer,
			nEmbd: info.nEmbd
		});
		const model = engineSteerableModel(engine, { chat: {} });
		const { condition, check } = first!;
		const rules = [parseRule("if C1 then B1")];
		console.log(
			`\nrefusal vector: ${refusalPairs.length} chat pairs (${chat.wrapper}), layers ${refusal.suggestedLayers.join(",")}, strength 1; condition of split 0: layer ${check.layers[0]}, ${check.direction} ${check.threshold.toFixed(3)}\n`
		);
		console.log(
			"| held-out prompts | condition fires | answers refuse (conditional) | unsteered refuse | always steered refuse |"
		);
		console.log("|---|---|---|---|---|");
		for (const [kind, texts] of [
			["cooking", heldOutFirst!.cooking],
			["other", heldOutFirst!.other]
		] as const) {
			let fired = 0;
			let refused = 0;
			let baseline = 0;
			let always = 0;
			for (const prompt of texts) {
				const request = { prompt, maxTokens: 24, temperature: 0, seed: 0 };
				const result = await conditionalGenerate(model, source, {
					...request,
					conditions: [{ vector: condition.vector, check }],
					behaviors: [{ vector: refusal.vector, strength: 1 }],
					rules
				});
				if (result.conditionResults[0]) fired++;
				if (isRefusal(result.text)) refused++;
				if (isRefusal(await model.generate({ ...request, steering: [] }))) baseline++;
				if (
					isRefusal(await model.generate({ ...request, steering: [{ vector: refusal.vector, strength: 1 }] }))
				)
					always++;
				if (process.env.SHOW_ANSWERS === "1")
					console.log(
						`  ${kind} ${result.conditionResults[0] ? "fires" : "quiet"}: ${JSON.stringify(prompt)} → ${JSON.stringify(result.text)}`
					);
			}
			console.log(
				`| ${kind} (${texts.length}) | ${fired}/${texts.length} | ${refused}/${texts.length} | ${baseline}/${texts.length} | ${always}/${texts.length} |`
			);
		}
	} finally {
		await engine.dispose();
	}
}

function checkOf(point: { layer: number; threshold: number; direction: "larger" | "smaller" }) {
	return { layers: [point.layer], threshold: point.threshold, direction: point.direction };
}

main().catch((error: unknown) => {
	console.error(error);
	process.exitCode = 1;
});
