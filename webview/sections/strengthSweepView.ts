/**
 * The playground's strength sweep: pick a vector and strengths, say how to recognise the concept
 * (words to count, or a trait the model judges itself), and get one row per strength with its effect,
 * its perplexity and a sample, and the largest strength that keeps the text fluent.
 */
import { chart, niceTicks } from "../charts";
import { h, valueOf } from "../dom";
import { post, type ViewState } from "../host";
import type { PanelState, SweepView } from "../../src/shared/webviewProtocol/messages";
import { parseKeywords, parseStrengthList } from "../sweepInput";

export function strengthSweepView(
	state: PanelState,
	view: ViewState,
	changed: (rerender?: boolean) => void
): HTMLElement {
	const usable = state.vectors.filter((vector) => !vector.problem);
	// Until the user picks one, the vector that steers now: the one they most likely want to measure.
	const chosen =
		usable.find((vector) => vector.fileName === view.sweep.vector) ??
		usable.find((vector) => vector.active) ??
		usable[0];
	const strengths = parseStrengthList(view.sweep.strengths);
	const keywords = parseKeywords(view.sweep.keywords);
	const inputError = !strengths.ok ? strengths.error : !keywords.ok ? keywords.error : undefined;
	const noMeasure = keywords.ok && keywords.value.length === 0 && view.sweep.judge.trim() === "";
	const field = (label: string, key: "strengths" | "keywords" | "judge", placeholder: string) =>
		h(
			"label",
			{},
			`${label} `,
			h("vscode-text-field", {
				value: view.sweep[key],
				placeholder,
				"aria-label": label,
				"data-focus-key": `sweep-${key}`,
				oninput: (event: Event) => {
					view.sweep[key] = valueOf(event);
					changed();
				},
				// Validation messages and the button's state follow the field once the user leaves it.
				onchange: () => changed(true)
			})
		);

	const start = () => {
		if (!chosen || !strengths.ok || !keywords.ok) return;
		view.sweep.result = undefined;
		view.sweep.message = undefined;
		view.sweep.progress = { done: 0, total: 1 };
		changed(true);
		post({
			type: "sweepStrengths",
			fileName: chosen.fileName,
			prompt: view.prompt,
			strengths: strengths.value,
			keywords: keywords.value,
			judge: view.sweep.judge.trim(),
			maxTokens: Math.min(256, Math.max(1, view.maxTokens))
		});
	};

	return h(
		"div",
		{ id: "strength-sweep", class: "sweep" },
		h("h3", {}, "Strength sweep"),
		h(
			"div",
			{ class: "row" },
			h(
				"label",
				{},
				"Vector ",
				h(
					"vscode-dropdown",
					{
						"aria-label": "Vector to sweep",
						onchange: (event: Event) => {
							view.sweep.vector = valueOf(event);
							changed();
						}
					},
					...usable.map((vector) =>
						h(
							"vscode-option",
							{ value: vector.fileName, selected: vector.fileName === chosen?.fileName },
							vector.name
						)
					)
				)
			),
			field("Strengths", "strengths", "-4, -2, 0, 2, 4, 8")
		),
		h(
			"div",
			{ class: "row" },
			field("Concept words", "keywords", "happy, smile, joy"),
			field("or judge trait", "judge", "happy")
		),
		h(
			"div",
			{ class: "row" },
			h(
				"vscode-button",
				{
					id: "sweep",
					disabled:
						!state.model ||
						!chosen ||
						inputError !== undefined ||
						noMeasure ||
						view.sweep.progress !== undefined,
					onclick: start
				},
				"Sweep"
			),
			view.sweep.progress
				? h(
						"span",
						{ class: "progress" },
						h("progress", {
							id: "sweep-progress",
							max: Math.max(1, view.sweep.progress.total),
							value: view.sweep.progress.done,
							"aria-label": "Sweep progress"
						}),
						h(
							"vscode-button",
							{ appearance: "secondary", onclick: () => post({ type: "cancelSweep" }) },
							"Stop"
						)
					)
				: null
		),
		!chosen
			? h("p", { class: "muted" }, "Train or import a vector that fits the loaded model to sweep its strength.")
			: null,
		inputError
			? h("p", { class: "error", role: "alert" }, inputError)
			: noMeasure
				? h("p", { class: "muted" }, "Give concept words to count or a trait for the model to judge.")
				: null,
		view.sweep.message ? h("p", { class: "error", role: "alert" }, view.sweep.message) : null,
		view.sweep.result ? sweepChart(view.sweep.result) : null,
		view.sweep.result ? sweepTable(view.sweep.result) : null
	);
}

/**
 * The sweep as a plot: the effect measure (or, without one, the perplexity) against strength, the
 * strengths whose text was not fluent marked, and 1.0 and the suggested maximum drawn in.
 */
function sweepChart(sweep: SweepView): HTMLElement {
	const measured = sweep.effectMeasure !== "none";
	const value = (row: SweepView["rows"][number]) => (measured ? row.effect : row.perplexity);
	const values = sweep.rows.map(value).filter((entry): entry is number => entry !== null);
	const strengths = sweep.rows.map((row) => row.strength);
	const low = Math.min(...strengths, 0);
	const high = Math.max(...strengths, 1);
	const pad = (high - low) * 0.05 || 0.5;
	const top = Math.max(...values, measured ? 1e-9 : 1) * 1.1;
	const yTitle = measured ? effectName(sweep.effectMeasure) : "Perplexity (lower reads more natural)";
	const point = (row: SweepView["rows"][number]) => ({
		x: row.strength,
		y: value(row),
		hover: `strength ${row.strength}: ${value(row)?.toFixed(2) ?? "no value"}; ${row.fluent ? "fluent" : "not fluent"}. “${row.sample.slice(0, 80)}”`
	});
	return chart({
		title: `What each strength did to the text (${sweep.vectorFileName})`,
		xTitle: "Strength",
		yTitle,
		xDomain: [low - pad, high + pad],
		yDomain: [0, top],
		xTicks: strengths,
		yTicks: niceTicks(0, top, 4),
		marks: [
			{ x: 1, label: "1.0" },
			...(sweep.suggestedMaxStrength === null
				? []
				: [{ x: sweep.suggestedMaxStrength, label: "suggested maximum" }])
		],
		series: [
			{
				name: measured ? "effect" : "perplexity",
				className: "separation",
				kind: "line",
				points: sweep.rows.map(point)
			},
			{
				name: "not fluent",
				className: "broken",
				kind: "points",
				points: sweep.rows.filter((row) => !row.fluent).map(point)
			}
		]
	});
}

function sweepTable(sweep: SweepView): HTMLElement {
	const effectTitle = effectName(sweep.effectMeasure);
	const number = (value: number | null, digits: number) => (value === null ? "–" : value.toFixed(digits));
	const suggestion =
		sweep.suggestedMaxStrength === null
			? "No positive strength kept the text fluent; try smaller ones."
			: `Suggested maximum strength: ${sweep.suggestedMaxStrength} (the largest that keeps the text fluent).`;
	return h(
		"div",
		{},
		h("p", { id: "sweep-suggestion" }, suggestion),
		h(
			"table",
			{ id: "sweep-table", class: "sweep-table" },
			h(
				"thead",
				{},
				h(
					"tr",
					{},
					h("th", { scope: "col" }, "Strength"),
					h("th", { scope: "col" }, effectTitle),
					h("th", { scope: "col" }, "Perplexity"),
					h("th", { scope: "col" }, "Sample")
				)
			),
			h(
				"tbody",
				{},
				...sweep.rows.map((row) =>
					h(
						"tr",
						{
							class: row.fluent ? "fluent" : "degenerate",
							"data-strength": row.strength,
							title: row.fluent
								? "fluent"
								: "degenerate: loops, garbage, fewer real or distinct words, or perplexity beyond the bound"
						},
						h("td", {}, String(row.strength)),
						h("td", {}, number(row.effect, 2)),
						h("td", {}, number(row.perplexity, 1)),
						h("td", { class: "sample" }, row.sample)
					)
				)
			)
		)
	);
}

/** What the sweep's effect column measures, in words, for the plot's axis and the table's header. */
function effectName(measure: SweepView["effectMeasure"]): string {
	return measure === "keywords" ? "Concept words per 100" : measure === "judge" ? "Share judged yes" : "Effect";
}
