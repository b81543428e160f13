/**
 * Small SVG charts for the editor pages: lines with points, and bars, with axis titles, ticks, a
 * legend, a shaded band and vertical marks. Every point and bar carries a <title>, which is its
 * hover text. Built with DOM calls, so no markup from data is ever parsed.
 */
const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 640;
const HEIGHT = 240;
const PAD = { left: 56, right: 16, top: 14, bottom: 44 };

export interface ChartPoint {
	readonly x: number;
	readonly y: number | null;
	readonly hover: string;
}

export interface ChartSeries {
	readonly name: string;
	/** CSS class giving the series its colour (see editor.css). */
	readonly className: string;
	readonly points: readonly ChartPoint[];
	readonly kind: "line" | "bars" | "points";
}

export interface ChartOptions {
	readonly title: string;
	readonly xTitle: string;
	readonly yTitle: string;
	readonly xDomain: readonly [number, number];
	readonly yDomain: readonly [number, number];
	readonly xTicks: readonly number[];
	readonly yTicks: readonly number[];
	readonly series: readonly ChartSeries[];
	readonly band?: { readonly from: number; readonly to: number; readonly label: string };
	readonly marks?: readonly { readonly x: number; readonly label: string }[];
	/** Bar width in x units (bars of several series sit side by side within it). */
	readonly barWidth?: number;
	readonly formatX?: (value: number) => string;
	readonly formatY?: (value: number) => string;
}

function svg(tag: string, attributes: Record<string, string | number>, text?: string): SVGElement {
	const element = document.createElementNS(SVG, tag);
	for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
	if (text !== undefined) element.textContent = text;
	return element;
}

export function chart(options: ChartOptions): HTMLElement {
	const figure = document.createElement("figure");
	figure.className = "chart";
	const caption = document.createElement("figcaption");
	caption.textContent = options.title;
	figure.append(caption, legend(options), plot(options));
	return figure;
}

function legend(options: ChartOptions): HTMLElement {
	const list = document.createElement("div");
	list.className = "legend";
	for (const series of options.series) {
		const key = document.createElement("span");
		key.className = `key ${series.className}`;
		key.textContent = series.name;
		list.append(key);
	}
	if (options.band) {
		const key = document.createElement("span");
		key.className = "key band";
		key.textContent = options.band.label;
		list.append(key);
	}
	return list;
}

function plot(options: ChartOptions): SVGElement {
	const { xDomain, yDomain } = options;
	const formatX = options.formatX ?? String;
	const formatY = options.formatY ?? ((value: number) => String(Number(value.toPrecision(3))));
	const x = (value: number) =>
		PAD.left + ((value - xDomain[0]) / (xDomain[1] - xDomain[0] || 1)) * (WIDTH - PAD.left - PAD.right);
	const y = (value: number) =>
		PAD.top +
		(1 - (Math.min(yDomain[1], Math.max(yDomain[0], value)) - yDomain[0]) / (yDomain[1] - yDomain[0] || 1)) *
			(HEIGHT - PAD.top - PAD.bottom);
	const root = svg("svg", {
		viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
		role: "img",
		class: "plot",
		"aria-label": options.title
	});
	root.append(svg("title", {}, options.title));
	if (options.band) {
		const left = x(options.band.from);
		root.append(
			svg("rect", {
				class: "band",
				x: left,
				y: PAD.top,
				width: Math.max(2, x(options.band.to) - left),
				height: HEIGHT - PAD.top - PAD.bottom
			})
		);
	}
	for (const tick of options.yTicks) {
		root.append(svg("line", { class: "grid", x1: PAD.left, x2: WIDTH - PAD.right, y1: y(tick), y2: y(tick) }));
		root.append(
			svg("text", { class: "axis", x: PAD.left - 6, y: y(tick) + 4, "text-anchor": "end" }, formatY(tick))
		);
	}
	for (const tick of options.xTicks)
		root.append(
			svg(
				"text",
				{ class: "axis", x: x(tick), y: HEIGHT - PAD.bottom + 16, "text-anchor": "middle" },
				formatX(tick)
			)
		);
	root.append(
		svg(
			"text",
			{ class: "axis-title", x: (PAD.left + WIDTH - PAD.right) / 2, y: HEIGHT - 8, "text-anchor": "middle" },
			options.xTitle
		),
		svg(
			"text",
			{
				class: "axis-title",
				x: -(PAD.top + HEIGHT - PAD.bottom) / 2,
				y: 14,
				transform: "rotate(-90)",
				"text-anchor": "middle"
			},
			options.yTitle
		)
	);
	const bars = options.series.filter((series) => series.kind === "bars");
	const barWidth = options.barWidth ?? 1;
	options.series.forEach((series) => {
		const group = svg("g", { class: `series-group ${series.className}` });
		const drawn = series.points.filter((point): point is ChartPoint & { y: number } => point.y !== null);
		if (series.kind === "bars") {
			const slot = bars.indexOf(series);
			const width = (x(xDomain[0] + barWidth) - x(xDomain[0])) / bars.length;
			for (const point of drawn) {
				const left = x(point.x - barWidth / 2) + slot * width;
				const top = y(Math.max(point.y, 0));
				const bar = svg("rect", {
					class: `bar ${series.className}`,
					x: left + 0.5,
					y: top,
					width: Math.max(1, width - 1),
					height: Math.max(0, y(Math.max(yDomain[0], 0)) - top)
				});
				bar.append(svg("title", {}, point.hover));
				group.append(bar);
			}
		} else {
			if (series.kind === "line" && drawn.length > 1)
				group.append(
					svg("polyline", {
						class: `series ${series.className}`,
						points: drawn.map((point) => `${x(point.x)},${y(point.y)}`).join(" ")
					})
				);
			for (const point of drawn) {
				const dot = svg("circle", { class: `point ${series.className}`, cx: x(point.x), cy: y(point.y), r: 4 });
				dot.append(svg("title", {}, point.hover));
				group.append(dot);
			}
		}
		root.append(group);
	});
	for (const mark of options.marks ?? []) {
		root.append(svg("line", { class: "mark", x1: x(mark.x), x2: x(mark.x), y1: PAD.top, y2: HEIGHT - PAD.bottom }));
		// A mark in the right half has its label on its left, so the label is not cut off at the edge.
		const onLeft = x(mark.x) > WIDTH / 2;
		root.append(
			svg(
				"text",
				{
					class: "mark-label",
					x: x(mark.x) + (onLeft ? -4 : 4),
					y: PAD.top + 10,
					"text-anchor": onLeft ? "end" : "start"
				},
				mark.label
			)
		);
	}
	return root;
}

/** Round tick values covering [low, high], about `count` of them. */
export function niceTicks(low: number, high: number, count = 5): number[] {
	if (!(high > low)) return [low];
	const raw = (high - low) / count;
	const magnitude = 10 ** Math.floor(Math.log10(raw));
	const step = [1, 2, 5, 10].map((factor) => factor * magnitude).find((candidate) => candidate >= raw) ?? raw;
	const ticks: number[] = [];
	for (let tick = Math.ceil(low / step) * step; tick <= high + step * 1e-9; tick += step)
		ticks.push(Number(tick.toPrecision(12)));
	return ticks;
}

/** Layer ticks: every layer when there are few, else about ten. */
export function layerTicks(layers: readonly number[]): number[] {
	if (layers.length <= 16) return [...layers];
	const step = Math.ceil(layers.length / 10);
	return layers.filter((_, index) => index % step === 0);
}
