/**
 * The calibration curves of docs/steering.md as pictures: per model, the example happy/sad dataset is
 * trained and calibrated as `steer train` does by default, and what calibration measured at each
 * strength is drawn to docs/calibration/<model>.svg — the readout gain over the unsteered text (the
 * target line where the search would stop), the real-word share and distinct-word ratio against the
 * unsteered text (with calibration's bounds), and the estimated KL divergence from the unsteered model;
 * the chosen strength (the file's 1.0) is marked and strengths that broke the text are drawn hollow.
 *
 * Run: nice -n 10 npx tsx scripts/calibration-pictures.ts [model.gguf ...]
 * Default: TinyStories-656K, stories260K and SmolLM2-135M-Instruct (when in the model cache).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { engineChatCalibration, engineSteerableModel } from "../src/engine/steerableModel";
import { CALIBRATION_FLUENCY_BOUNDS, calibrateStrength } from "../src/steering/pipeline/calibrateStrength";
import type { CalibrationCurve } from "../src/steering/pipeline/calibrationCurve";
import { niceTicks } from "../webview/charts";
import { figureModels, forEachFigureModel, trainConcept, tuningConcepts } from "./calibration-concepts";

const WIDTH = 720;
const PANEL = 130;
const GAP = 46;
const LEFT = 64;
const RIGHT = 24;
const TOP = 56;

interface Panel {
	readonly title: string;
	readonly series: readonly { name: string; colour: string; values: readonly (number | undefined)[] }[];
	readonly lines?: readonly { y: number; label: string; colour: string }[];
	/** The axis starts at 0 (readout gain, KL); the fluency ratios get the range they span. */
	readonly fromZero: boolean;
}

function escape(text: string): string {
	return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** The curve as an SVG document: one panel per measure, sharing the strength axis. */
export function calibrationSvg(curve: CalibrationCurve, heading: string, subheading: string): string {
	const points = curve.points;
	const strengths = points.map((point) => point.strength);
	const xHigh = Math.max(...strengths) * 1.05;
	const x = (strength: number) => LEFT + (strength / xHigh) * (WIDTH - LEFT - RIGHT);
	const base = points[0]!;
	const panels: Panel[] = [
		{
			title: "readout gain over the unsteered text (one pair gap = 1)",
			series: [{ name: "readout gain", colour: "#2e7d32", values: points.map((p) => p.readout - base.readout) }],
			lines: [{ y: curve.readoutTarget, label: `target ${curve.readoutTarget}`, colour: "#2e7d32" }],
			fromZero: true
		},
		{
			title: "fluency against the unsteered text",
			series: [
				{
					name: "real words",
					colour: "#1565c0",
					values: points.map((p) => p.fluency.realWordShare / base.fluency.realWordShare)
				},
				{
					name: "distinct words",
					colour: "#ef6c00",
					values: points.map((p) => p.fluency.distinctWords / base.fluency.distinctWords)
				}
			],
			lines: [
				{ y: CALIBRATION_FLUENCY_BOUNDS.minWordShareRatio, label: "real-word bound", colour: "#1565c0" },
				{ y: CALIBRATION_FLUENCY_BOUNDS.minDistinctRatio, label: "distinct-word bound", colour: "#ef6c00" }
			],
			fromZero: false
		},
		{
			title: "share of degenerate samples (loops, character garbage)",
			series: [{ name: "degenerate", colour: "#c62828", values: points.map((p) => p.fluency.degenerateShare) }],
			lines: [
				{
					y: base.fluency.degenerateShare + CALIBRATION_FLUENCY_BOUNDS.maxExtraDegenerateShare,
					label: "bound (unsteered + 0.2)",
					colour: "#c62828"
				}
			],
			fromZero: true
		},
		{
			title: "KL divergence from the unsteered model (nats per token, estimated)",
			series: [
				{
					name: "KL",
					colour: "#6a1b9a",
					values: points.map((p) => (p.strength === 0 ? 0 : p.klPerToken))
				}
			],
			fromZero: true
		}
	];
	const height = TOP + panels.length * (PANEL + GAP) + 20;
	const parts: string[] = [
		`<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">`,
		`<rect width="100%" height="100%" fill="white"/>`,
		`<text x="${LEFT}" y="20" font-size="14" font-weight="bold">${escape(heading)}</text>`,
		`<text x="${LEFT}" y="38">${escape(subheading)}</text>`
	];
	panels.forEach((panel, index) => {
		const top = TOP + index * (PANEL + GAP) + 18;
		const bottom = top + PANEL;
		const values = [
			...panel.series.flatMap((series) => series.values.filter((v): v is number => v !== undefined)),
			...(panel.lines ?? []).map((line) => line.y),
			...(panel.fromZero ? [0] : [])
		];
		const pad = 0.08 * (Math.max(...values) - Math.min(...values) || 1);
		const yLow = Math.min(...values) - (panel.fromZero && Math.min(...values) === 0 ? 0 : pad);
		const yHigh = Math.max(...values) + pad;
		const yTicks = niceTicks(yLow, yHigh, 4);
		const y = (value: number) => bottom - ((value - yLow) / (yHigh - yLow || 1)) * PANEL;
		parts.push(`<text x="${LEFT}" y="${top - 6}" font-weight="bold">${escape(panel.title)}</text>`);
		parts.push(
			`<rect x="${LEFT}" y="${top}" width="${WIDTH - LEFT - RIGHT}" height="${PANEL}" fill="none" stroke="#999"/>`
		);
		for (const tick of yTicks.filter((tick) => tick >= yLow && tick <= yHigh)) {
			parts.push(
				`<line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${y(tick)}" y2="${y(tick)}" stroke="#eee"/>`,
				`<text x="${LEFT - 6}" y="${y(tick) + 4}" text-anchor="end">${tick}</text>`
			);
		}
		for (const tick of niceTicks(0, xHigh, 8)) {
			parts.push(`<text x="${x(tick)}" y="${bottom + 14}" text-anchor="middle">${tick}</text>`);
		}
		parts.push(
			`<line x1="${x(curve.chosen)}" x2="${x(curve.chosen)}" y1="${top}" y2="${bottom}" stroke="#c62828" stroke-dasharray="4 3"/>`,
			`<text x="${x(curve.chosen) + 4}" y="${bottom - 6}" fill="#c62828">1.0 = ${curve.chosen}×</text>`
		);
		for (const line of panel.lines ?? []) {
			parts.push(
				`<line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${y(line.y)}" y2="${y(line.y)}" stroke="${line.colour}" stroke-dasharray="2 3"/>`,
				`<text x="${WIDTH - RIGHT - 4}" y="${y(line.y) - 4}" text-anchor="end" fill="${line.colour}">${escape(line.label)}</text>`
			);
		}
		panel.series.forEach((series, seriesIndex) => {
			const drawn = points
				.map((point, i) => ({ point, value: series.values[i] }))
				.filter(
					(entry): entry is { point: (typeof points)[number]; value: number } => entry.value !== undefined
				);
			parts.push(
				`<polyline fill="none" stroke="${series.colour}" stroke-width="2" points="${drawn.map(({ point, value }) => `${x(point.strength)},${y(value)}`).join(" ")}"/>`
			);
			for (const { point, value } of drawn) {
				parts.push(
					`<circle cx="${x(point.strength)}" cy="${y(value)}" r="4" stroke="${series.colour}" stroke-width="2" fill="${point.fluent ? series.colour : "white"}"><title>${point.strength}×: ${value.toFixed(3)}${point.fluent ? "" : " (not fluent)"}</title></circle>`
				);
			}
			if (panel.series.length > 1)
				parts.push(
					`<text x="${WIDTH - RIGHT - 220 + seriesIndex * 110}" y="${top - 6}" fill="${series.colour}">● ${escape(series.name)}</text>`
				);
		});
	});
	parts.push(
		`<text x="${WIDTH / 2}" y="${height - 6}" text-anchor="middle">strength (multiple of the trained push); hollow: the text broke there</text>`,
		"</svg>"
	);
	return parts.join("\n");
}

const outDir = path.resolve(__dirname, "..", "docs", "calibration");
const happy = tuningConcepts.find((concept) => concept.name === "happy")!;

forEachFigureModel(figureModels(["TinyStories-656K", "stories260K", "SmolLM2"]), 512, async (engine, info) => {
	// In chat on an instruct model, as `steer train` calibrates a vector whose pairs were read as chats.
	const { model, chat } = info.hasChatTemplate
		? engineChatCalibration(engine)
		: { model: engineSteerableModel(engine), chat: undefined };
	const { pairs, source, trained } = await trainConcept(engine, info, happy);
	const calibrated = await calibrateStrength(trained, pairs, model, source, chat ? { chat } : {});
	const curve = calibrated.calibration!;
	const name = path.basename(info.modelPath, ".gguf");
	mkdirSync(outDir, { recursive: true });
	const file = path.join(outDir, `${name}.svg`);
	writeFileSync(
		file,
		calibrationSvg(
			curve,
			`${name}: calibrating the happy/sad example dataset`,
			`layers ${trained.suggestedLayers.join(",")}; 1.0 = ${curve.chosen}× the trained push (${curve.reason}); ${curve.prompts * curve.seeds} samples of ${curve.maxTokens} tokens; ${curve.seconds.toFixed(0)} s`
		)
	);
	console.log(`${file}: 1.0 = ${curve.chosen}× (${curve.reason}), ${curve.points.length} strengths`);
}).catch((error) => {
	console.error(error);
	process.exit(1);
});
