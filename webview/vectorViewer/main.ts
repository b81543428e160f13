/**
 * The vector viewer's page: what a control-vector file holds, in plots with titled axes and hover
 * values, and the actions that apply to it. Read only: the file never changes from here.
 */
import type {
	LayerReport,
	VectorReport,
	VectorViewerMessage,
	VectorViewerUpdate
} from "../../src/shared/vectorViewerProtocol";
import { connectToHost } from "../channel";
import { chart, layerTicks, niceTicks } from "../charts";
import { h } from "../dom";
import { registerToolkit, TOOLKIT_TAGS } from "../toolkit";
import { ratingEnded, ratingProgress, ratingsArrived, ratingSection } from "./ratingSection";

registerToolkit();
const host = connectToHost<VectorViewerMessage, VectorViewerUpdate>();
const app = document.getElementById("app") as HTMLElement;
let histogramLayer: number | undefined;
let last: VectorReport | undefined;

host.onMessage((message) => {
	switch (message.type) {
		case "ratingProgress":
			return ratingProgress(message.done, message.total, redraw);
		case "ratings":
			ratingsArrived(message.ratings);
			return redraw();
		case "ratingEnded":
			ratingEnded(message.message);
			return redraw();
	}
	if (message.type === "unreadable") {
		// Nothing to redraw the comparison into until the file reads again.
		last = undefined;
		app.replaceChildren(
			h("header", { class: "editor-header" }, h("h1", {}, message.fileName)),
			h(
				"p",
				{ class: "error", role: "alert" },
				`Steer cannot read this file as a control vector: ${message.message}`
			)
		);
		return;
	}
	last = message;
	render(message);
});
host.post({ type: "ready" });

function redraw(): void {
	if (last) render(last);
}

const METHOD_WORDS: Record<string, string> = {
	"pca-diff": "the main direction in which each pair's two sides differ (PCA of the differences)",
	"mean-diff": "the average difference between the two sides",
	"pca-center": "the main direction of the centred pairs (repeng's pca_center)",
	probe: "a classifier trained to tell the sides apart (logistic probe)"
};

function render(report: VectorReport): void {
	const scroll = window.scrollY;
	const steered = report.layers.filter((layer) => layer.steered).map((layer) => layer.layer);
	histogramLayer ??= report.suggested
		? Math.round((report.suggested[0] + report.suggested[1]) / 2)
		: report.layers.find((layer) => layer.histogram)?.layer;
	app.replaceChildren(
		...[
			report.mismatch &&
				h(
					"div",
					{ class: "banner warning", role: "alert", id: "mismatch" },
					`This vector cannot steer the loaded model: ${report.mismatch}.`
				),
			header(report),
			facts(report, steered),
			h(
				"div",
				{ class: "charts" },
				report.trainedBySteer ? separationChart(report) : undefined,
				pushChart(report),
				report.trainedBySteer ? histogramChart(report) : undefined,
				report.calibration ? calibrationChart(report) : undefined
			),
			report.calibration?.reliability &&
				h(
					"p",
					{
						id: "reliability",
						title: "Measured at strength 1 when the file was calibrated, on the calibration's samples"
					},
					`At strength 1 when calibrated: ${report.calibration.reliability}.`
				),
			report.calibration?.profile &&
				h(
					"p",
					{
						id: "profile",
						title: "The profile search of calibration (steer train --profile-search): which layers the file steers, and why"
					},
					`Steering profile: ${report.calibration.profile}.`
				),
			ratingSection(report, (message) => host.post(message), redraw),
			!report.trainedBySteer &&
				h(
					"p",
					{ class: "muted" },
					"This file was not trained by Steer, so it carries only its directions: there are no training measurements to plot."
				),
			metadataTable(report)
		].filter((item): item is HTMLElement => Boolean(item))
	);
	window.scrollTo(0, scroll);
}

function header(report: VectorReport): HTMLElement {
	const steering = report.steering;
	return h(
		"header",
		{ class: "editor-header" },
		h("h1", {}, report.name),
		h("span", { class: "summary" }, report.fileName),
		h(
			"span",
			{ class: "actions" },
			steering &&
				h(
					TOOLKIT_TAGS.checkbox,
					{
						id: "active",
						checked: steering.active,
						disabled: report.mismatch !== undefined,
						title: "Ticked: this vector steers generation",
						onchange: (event: Event) =>
							host.post({ type: "setActive", active: (event.target as HTMLInputElement).checked })
					},
					"Active"
				),
			steering &&
				h(
					"label",
					{
						class: "strength",
						title: "1 is the push it was calibrated to; 0 is none; negative steers the other way"
					},
					"Strength ",
					h("input", {
						id: "strength",
						type: "number",
						step: 0.1,
						value: steering.strength,
						onchange: (event: Event) => {
							const strength = Number((event.target as HTMLInputElement).value);
							if (Number.isFinite(strength)) host.post({ type: "setStrength", strength });
						}
					})
				),
			h(
				TOOLKIT_TAGS.button,
				{
					appearance: "secondary",
					disabled: !steering?.modelLoaded,
					title: "Write the active steering as one file plus the llama-server command line that uses it",
					onclick: () => host.post({ type: "exportForLlamaServer" })
				},
				"Export for llama-server…"
			),
			h(
				TOOLKIT_TAGS.button,
				{
					appearance: "secondary",
					disabled: !steering?.modelLoaded || report.mismatch !== undefined,
					title: "Colour the open text by how close each part is to this concept",
					onclick: () => host.post({ type: "showInLens" })
				},
				"Show in concept lens"
			)
		)
	);
}

function facts(report: VectorReport, steered: readonly number[]): HTMLElement {
	const all = report.layers.map((layer) => layer.layer);
	const rows: [string, string][] = [
		["Made from", report.examples ?? "(not recorded: made outside Steer)"],
		["Trained as", report.method ? (METHOD_WORDS[report.method] ?? report.method) : "(not recorded)"],
		[
			"Steers",
			steered.length === 0
				? `${all.length} layers`
				: `${steered.length === 1 ? `layer ${steered[0]}` : `layers ${steered[0]}–${steered.at(-1)}`} of the ${all.length === 1 ? "one layer" : `${all.length} layers`} it measured`
		],
		["Acts on", report.placement],
		["Width", `${report.width} numbers per layer`],
		["Made for", report.modelHint ?? "(no model named in the file)"]
	];
	return h(
		"dl",
		{ class: "facts wide" },
		...rows.flatMap(([term, value]) => [h("dt", {}, term), h("dd", {}, value)])
	);
}

function layerDomain(layers: readonly LayerReport[]): [number, number] {
	// Half a layer of room on each side, so that a one-layer vector sits in the middle.
	return [(layers[0]?.layer ?? 0) - 0.5, (layers.at(-1)?.layer ?? 0) + 0.5];
}

function band(report: VectorReport) {
	return report.suggested
		? { from: report.suggested[0] - 0.5, to: report.suggested[1] + 0.5, label: "layers it steers" }
		: undefined;
}

const percent = (value: number) => `${Math.round(value * 100)}%`;

function separationChart(report: VectorReport): HTMLElement {
	const layers = report.layers;
	return chart({
		title: "How well each layer tells the two sides apart",
		xTitle: "Layer",
		yTitle: "Share of pairs",
		xDomain: layerDomain(layers),
		yDomain: [0, 1],
		xTicks: layerTicks(layers.map((layer) => layer.layer)),
		yTicks: [0, 0.25, 0.5, 0.75, 1],
		formatY: percent,
		band: band(report),
		series: [
			{
				name: layers.some((layer) => layer.heldOut !== null && layer.heldOut !== undefined)
					? "held-out pairs put on the right side"
					: "held-out pairs put on the right side (too few pairs to hold any out)",
				className: "separation",
				kind: "line",
				points: layers.map((layer) => ({
					x: layer.layer,
					y: layer.heldOut ?? null,
					hover: `layer ${layer.layer}: ${layer.heldOut === null || layer.heldOut === undefined ? "no pairs held out" : `${percent(layer.heldOut)} of the pairs not used for training`}`
				}))
			},
			{
				name: "share of the differences along the direction",
				className: "explained",
				kind: "line",
				points: layers.map((layer) => ({
					x: layer.layer,
					y: layer.explained ?? null,
					hover: `layer ${layer.layer}: ${percent(layer.explained ?? 0)} of how the sides differ lies along the direction`
				}))
			},
			...(layers.some((layer) => typeof layer.consistency === "number")
				? [
						{
							name: "how consistently the pairs point along it",
							className: "consistency",
							kind: "line" as const,
							points: layers.map((layer) => ({
								x: layer.layer,
								y: typeof layer.consistency === "number" ? Math.max(0, layer.consistency) : null,
								hover: `layer ${layer.layer}: ${typeof layer.consistency === "number" ? `each pair's difference points ${layer.consistency.toFixed(2)} of the way along the direction on average (cosine; 1 = every pair agrees)` : "not measured"}`
							}))
						}
					]
				: [])
		]
	});
}

function pushChart(report: VectorReport): HTMLElement {
	const layers = report.layers;
	const top = Math.max(...layers.map((layer) => Math.max(layer.norm, layer.hiddenNorm ?? 0)), 1e-9);
	return chart({
		title: "How hard it pushes at strength 1",
		xTitle: "Layer",
		yTitle: "Length",
		xDomain: layerDomain(layers),
		yDomain: [0, top * 1.05],
		xTicks: layerTicks(layers.map((layer) => layer.layer)),
		yTicks: niceTicks(0, top * 1.05, 4),
		band: band(report),
		barWidth: 0.8,
		series: [
			{
				name: "push added to the hidden state",
				className: "norm",
				kind: "bars",
				points: layers.map((layer) => ({
					x: layer.layer,
					y: layer.norm,
					hover: `layer ${layer.layer}: push of length ${layer.norm.toPrecision(3)}${layer.steered ? "" : " (not steered)"}`
				}))
			},
			...(report.trainedBySteer
				? [
						{
							name: "typical hidden state",
							className: "hidden",
							kind: "points" as const,
							points: layers.map((layer) => ({
								x: layer.layer,
								y: layer.hiddenNorm ?? null,
								hover: `layer ${layer.layer}: hidden states are typically ${layer.hiddenNorm?.toPrecision(3)} long`
							}))
						}
					]
				: [])
		]
	});
}

function histogramChart(report: VectorReport): HTMLElement | undefined {
	const withHistogram = report.layers.filter((layer) => layer.histogram && layer.histogram.positive.length > 0);
	const layer = withHistogram.find((entry) => entry.layer === histogramLayer) ?? withHistogram[0];
	if (!layer?.histogram) return undefined;
	const { edges, positive, negative } = layer.histogram;
	const centres = positive.map((_, bin) => (edges[bin] + edges[bin + 1]) / 2);
	const width = edges[1] - edges[0] || 1;
	const most = Math.max(...positive, ...negative, 1);
	const sideBars = (side: "positive" | "negative", name: string, counts: readonly number[]) => ({
		name,
		className: side,
		kind: "bars" as const,
		points: centres.map((x, bin) => ({
			x,
			y: counts[bin],
			hover: `${counts[bin]} ${side} texts between ${edges[bin].toPrecision(3)} and ${edges[bin + 1].toPrecision(3)}`
		}))
	});
	const picker = h(
		"select",
		{
			id: "histogram-layer",
			"aria-label": "Layer of the histogram",
			onchange: (event: Event) => {
				histogramLayer = Number((event.target as HTMLSelectElement).value);
				if (last) render(last);
			}
		},
		...withHistogram.map((entry) =>
			h("option", { value: entry.layer, selected: entry.layer === layer.layer }, `layer ${entry.layer}`)
		)
	);
	const figure = chart({
		title: `Where the two sides fall along the direction, at layer ${layer.layer}`,
		xTitle: "Position along the direction (projection)",
		yTitle: "Texts",
		xDomain: [edges[0], edges.at(-1) ?? edges[0] + 1],
		yDomain: [0, most],
		xTicks: niceTicks(edges[0], edges.at(-1) ?? edges[0] + 1, 5),
		yTicks: niceTicks(0, most, 4),
		barWidth: width,
		series: [
			sideBars("positive", "positive side (with the concept)", positive),
			sideBars("negative", "negative side (without it)", negative)
		]
	});
	figure.querySelector("figcaption")?.append(" ", picker);
	return figure;
}

function calibrationChart(report: VectorReport): HTMLElement | undefined {
	const calibration = report.calibration;
	if (!calibration) return undefined;
	const strengths = calibration.points.map((point) => point.strength);
	const high = Math.max(...strengths, 1) * 1.05;
	// Readouts run past the training pairs' 0 and 1 (an instruct model's answers can read beyond them).
	const readouts = calibration.points.map((point) => point.readout);
	const yLow = Math.min(0, ...readouts);
	const yHigh = Math.max(1, ...readouts);
	const yTicks = yLow === 0 && yHigh === 1 ? [0, 0.25, 0.5, 0.75, 1] : niceTicks(yLow, yHigh, 5);
	return chart({
		title: `What each strength did when it was calibrated (read at layer ${calibration.readLayer})`,
		xTitle: "Strength",
		yTitle: "Like the positives (negatives 0, positives 1)",
		xDomain: [0, high],
		yDomain: [Math.min(yLow, yTicks[0]!), Math.max(yHigh, yTicks.at(-1)!)],
		xTicks: niceTicks(0, high, 6),
		yTicks,
		marks: [{ x: 1, label: "1.0 (this file's strength 1)" }],
		series: [
			{
				name: "how much the text read like the positives",
				className: "separation",
				kind: "line",
				points: calibration.points.map((point) => ({
					x: point.strength,
					y: point.readout,
					hover: `strength ${point.strength.toPrecision(3)}: read ${point.readout.toFixed(2)} of the way from the negatives to the positives; ${point.fluent ? "fluent" : "not fluent (repetitive or broken text)"}${typeof point.kl === "number" ? `; the next-word choices moved about ${point.kl.toFixed(3)} nats per token from the unsteered model's (estimated KL)` : ""}${typeof point.perplexity === "number" ? `; perplexity ${point.perplexity.toFixed(1)} under the unsteered model` : ""}`
				}))
			},
			{
				name: "share of real words",
				className: "explained",
				kind: "line",
				points: calibration.points.map((point) => ({
					x: point.strength,
					y: point.realWords,
					hover: `strength ${point.strength.toPrecision(3)}: ${percent(point.realWords)} real words`
				}))
			},
			{
				name: "not fluent",
				className: "broken",
				kind: "points",
				points: calibration.points
					.filter((point) => !point.fluent)
					.map((point) => ({
						x: point.strength,
						y: point.readout,
						hover: `strength ${point.strength.toPrecision(3)}: not fluent`
					}))
			}
		]
	});
}

function metadataTable(report: VectorReport): HTMLElement {
	return h(
		"details",
		{ class: "metadata" },
		h("summary", {}, `Everything in the file's header (${report.metadata.length} keys)`),
		h(
			"table",
			{ class: "sweep-table" },
			h("thead", {}, h("tr", {}, h("th", {}, "Key"), h("th", {}, "Value"))),
			h(
				"tbody",
				{},
				...report.metadata.map(([key, value]) =>
					h("tr", {}, h("td", {}, key), h("td", { class: "sample" }, value))
				)
			)
		)
	);
}
