/**
 * Tuning calibration by measurement (src/steering/pipeline/calibrateStrength.ts) on the tuning
 * concepts (scripts/calibration-concepts.ts). The concept the calibration is validated on lives only in
 * test/engine/calibration.test.ts, never here.
 *
 * TUNE_CONCEPTS=sea,food limits the run to those concepts.
 *
 * Run: nice -n 10 npx tsx scripts/tune-calibration.ts [model.gguf ...]
 * Default models: TinyStories-656K and stories260K from the shared models folder.
 *
 * Per model and concept: trains with the defaults, runs the calibration's measurements up the whole
 * ladder from the fixed push (not stopping at the first broken strength), and beside each strength the goal's own
 * measures on 16 stories of 60 tokens (4 story prompts × 4 seeds, temperature 0.8): stories with a
 * concept word, and the real-word and distinct-word ratios against the unsteered stories. Prints one
 * table per concept and the strength the calibration would choose.
 */
import path from "node:path";
import { EngineClient } from "../src/engine/client";
import { engineSteerableModel } from "../src/engine/steerableModel";
import { compareFluency, summarizeFluency } from "../src/steering/evaluation/degeneration";
import { effectScore } from "../src/steering/evaluation/effectScore";
import { calibrateStrength, CALIBRATION_LADDER, chooseStrength } from "../src/steering/pipeline/calibrateStrength";
import { storiesWith, trainConcept, tuningConcepts } from "./calibration-concepts";

const root = path.resolve(__dirname, "..");
const modelsDir = path.resolve(process.env.STEER_TEST_MODELS ?? path.join(root, "..", "shared", "models"));
const models = process.argv.slice(2).length
	? process.argv.slice(2)
	: ["TinyStories-656K.f16.gguf", "stories260K.gguf"].map((name) => path.join(modelsDir, name));

const fixed = (value: number, digits = 2) => value.toFixed(digits);

async function main(): Promise<void> {
	for (const modelPath of models) {
		const engine = new EngineClient({ steerRoot: root });
		try {
			const info = await engine.loadModel({ modelPath, gpu: false, threads: 1, contextSize: 256 });
			const model = engineSteerableModel(engine);
			console.log(`\n## ${path.basename(modelPath)} (${info.nLayer} layers × ${info.nEmbd})`);
			const stories = (steering: Parameters<typeof model.generate>[0]["steering"]) =>
				storiesWith((request) => model.generate({ ...request, steering }));
			const unsteered = await stories([]);
			const unsteeredFluency = summarizeFluency(unsteered);
			const only = process.env.TUNE_CONCEPTS?.split(",");
			for (const concept of tuningConcepts.filter((entry) => !only || only.includes(entry.name))) {
				const { pairs, source, trained: trained } = await trainConcept(engine, info, concept);
				const started = performance.now();
				// The whole ladder: every fluency bound loosened so no strength stops it.
				const full = await calibrateStrength(trained, pairs, model, source, {
					fluencyBounds: { minWordShareRatio: 0, minDistinctRatio: 0, maxExtraDegenerateShare: 1 }
				});
				const seconds = (performance.now() - started) / 1000;
				const defaults = await calibrateStrength(trained, pairs, model, source);
				const hits = (texts: string[]) =>
					texts.filter((text) => effectScore(text, concept.keywords).matches > 0).length;
				console.log(
					`\n${concept.name}: layers ${trained.suggestedLayers.join(",")}, read layer ${full.calibration!.readLayer}, full ladder ${fixed(seconds, 1)} s, default calibration ${fixed(defaults.calibration!.seconds, 1)} s → ${defaults.calibration!.chosen}× (${defaults.calibration!.reason})`
				);
				console.log("strength  readout  cal-words  cal-distinct  cal-degen  stories  words  distinct  goal");
				const base = hits(unsteered);
				for (const point of full.calibration!.points) {
					const texts =
						point.strength === 0
							? unsteered
							: await stories([{ vector: trained.vector, strength: point.strength }]);
					const comparison = compareFluency(summarizeFluency(texts), unsteeredFluency, {
						minWordShareRatio: 0.9,
						minDistinctRatio: 0.7,
						maxExtraDegenerateShare: 1
					});
					const count = hits(texts);
					const goal = comparison.fluent && count >= 6 && count >= 3 * base;
					const calibration = point.comparison;
					console.log(
						[
							String(point.strength).padStart(8),
							fixed(point.readout).padStart(9),
							(calibration ? fixed(calibration.wordShareRatio) : "").padStart(11),
							(calibration ? fixed(calibration.distinctRatio) : "").padStart(14),
							fixed(point.fluency.degenerateShare).padStart(11),
							`${count}/16`.padStart(9),
							fixed(comparison.wordShareRatio).padStart(7),
							fixed(comparison.distinctRatio).padStart(10),
							(goal ? "  ✓" : "") +
								(point.strength > 0 && !point.fluent ? "  (calibration: broken)" : "") +
								(point.strength === defaults.calibration!.chosen ? "  ← chosen" : "")
						].join("")
					);
				}
				const choice = chooseStrength(defaults.calibration!.points, defaults.calibration!.readoutTarget);
				console.log(
					`default choice ${choice.strength} (${choice.reason}); ladder ${CALIBRATION_LADDER.join(",")}`
				);
			}
		} finally {
			await engine.dispose();
		}
	}
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
