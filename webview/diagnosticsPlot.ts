/**
 * Per-layer training diagnostics as an inline SVG line chart: explained variance and held-out
 * separation (0–1, left scale) and the typical hidden-state norm (scaled to its own maximum), with the
 * suggested band shaded. Built with DOM calls, so no markup from data is ever parsed.
 */
import type { LayerSummary } from "../src/shared/webviewProtocol/messages";

const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 300;
const HEIGHT = 140;
const PAD = { left: 28, right: 8, top: 8, bottom: 22 };

function svg(tag: string, attributes: Record<string, string | number>, text?: string): SVGElement {
	const element = document.createElementNS(SVG, tag);
	for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
	if (text !== undefined) element.textContent = text;
	return element;
}

export function diagnosticsPlot(layers: readonly LayerSummary[], suggested: readonly [number, number]): SVGElement {
	const steerable = layers.filter((entry) => entry.layer >= 1);
	const root = svg("svg", { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: "img", class: "plot" });
	root.appendChild(svg("title", {}, `Per-layer diagnostics; suggested layers ${suggested[0]}–${suggested[1]}`));
	if (steerable.length === 0) return root;
	const first = steerable[0].layer;
	const last = steerable[steerable.length - 1].layer;
	const x = (layer: number) =>
		PAD.left + ((layer - first) / Math.max(1, last - first)) * (WIDTH - PAD.left - PAD.right);
	const y = (value: number) => PAD.top + (1 - Math.max(0, Math.min(1, value))) * (HEIGHT - PAD.top - PAD.bottom);
	const step = (WIDTH - PAD.left - PAD.right) / Math.max(1, last - first);

	root.appendChild(
		svg("rect", {
			x: x(suggested[0]) - step / 2,
			y: PAD.top,
			width: (suggested[1] - suggested[0] + 1) * step,
			height: HEIGHT - PAD.top - PAD.bottom,
			class: "band"
		})
	);
	for (const tick of [0, 0.5, 1]) {
		root.appendChild(svg("line", { x1: PAD.left, x2: WIDTH - PAD.right, y1: y(tick), y2: y(tick), class: "grid" }));
		root.appendChild(
			svg("text", { x: PAD.left - 4, y: y(tick) + 3, "text-anchor": "end", class: "axis" }, String(tick))
		);
	}
	for (const entry of steerable) {
		if (steerable.length <= 16 || entry.layer % Math.ceil(steerable.length / 8) === 0) {
			root.appendChild(
				svg(
					"text",
					{ x: x(entry.layer), y: HEIGHT - 8, "text-anchor": "middle", class: "axis" },
					String(entry.layer)
				)
			);
		}
	}
	const maxNorm = Math.max(1e-9, ...steerable.map((entry) => entry.hiddenNorm));
	const series: [string, (entry: LayerSummary) => number | null][] = [
		["explained", (entry) => entry.explainedVariance],
		["separation", (entry) => entry.heldOutSeparation ?? entry.agreement],
		["norm", (entry) => entry.hiddenNorm / maxNorm]
	];
	for (const [name, value] of series) {
		const points = steerable
			.map((entry) => [x(entry.layer), y(value(entry) ?? 0)].map((n) => n.toFixed(1)).join(","))
			.join(" ");
		root.appendChild(svg("polyline", { points, class: `series ${name}` }));
		// A marker per layer: a model with one steerable layer has no line to draw, only points.
		for (const entry of steerable)
			root.appendChild(
				svg("circle", {
					cx: x(entry.layer).toFixed(1),
					cy: y(value(entry) ?? 0).toFixed(1),
					r: 2.5,
					class: `point ${name}`
				})
			);
	}
	return root;
}

export function plotLegend(heldOut: boolean): HTMLElement {
	const legend = document.createElement("p");
	legend.className = "legend";
	for (const [name, label] of [
		["explained", "explained variance"],
		["separation", heldOut ? "held-out separation" : "agreement (no pairs held out)"],
		["norm", "hidden-state norm (relative)"],
		["band", "suggested layers"]
	]) {
		const key = document.createElement("span");
		key.className = `key ${name}`;
		key.textContent = label;
		legend.appendChild(key);
	}
	return legend;
}
