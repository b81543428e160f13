/**
 * Conditional steering (CAST) in the Vectors section: pick a condition vector, list prompts where the
 * condition should hold and where it should not, and search for the layer, threshold and direction
 * whose check tells them apart best (F1), with the best F1 found at each layer; and a rule box ("if C1
 * and not C2 then B2") checked by the host as it is typed, with a caret under the mistake.
 */
import { parsePromptLines, parseThresholdGrid } from "../conditionInput";
import { h, valueOf } from "../dom";
import { post, type ConditionState, type ViewState } from "../host";
import type { ConditionSearchView, PanelState } from "../../src/shared/webviewProtocol/messages";

/** Checking on every keystroke would flood the channel while the user types quickly. */
const RULE_CHECK_DELAY_MS = 150;
let ruleTimer: ReturnType<typeof setTimeout> | undefined;

/** The form as parsed now, and the first problem with it. */
function readForm(form: ConditionState) {
	const positives = parsePromptLines(form.positives, "where the condition holds");
	const negatives = parsePromptLines(form.negatives, "where it does not");
	const grid = parseThresholdGrid(form.low, form.high, form.step);
	const inputError = !positives.ok
		? positives.error
		: !negatives.ok
			? negatives.error
			: !grid.ok
				? grid.error
				: undefined;
	return { positives, negatives, grid, inputError };
}

export function conditionEditorView(
	state: PanelState,
	view: ViewState,
	changed: (rerender?: boolean) => void
): HTMLElement {
	const form = view.condition;
	const usable = state.vectors.filter((vector) => !vector.problem);
	const chosen = usable.find((vector) => vector.fileName === form.vector) ?? usable[0];
	const { inputError } = readForm(form);
	const blank = form.positives.trim() === "" || form.negatives.trim() === "";
	// The button follows every keystroke, not only the moment a field loses focus.
	const updateButton = () => {
		const button = document.getElementById("search-condition");
		if (button)
			button.toggleAttribute(
				"disabled",
				!state.model || !chosen || readForm(form).inputError !== undefined || form.progress !== undefined
			);
	};

	const start = () => {
		// Read again: the fields may have changed since this view was drawn.
		const { positives, negatives, grid } = readForm(form);
		if (!chosen || !positives.ok || !negatives.ok || !grid.ok) return;
		form.result = undefined;
		form.message = undefined;
		form.progress = { done: 0, total: 1 };
		changed(true);
		post({
			type: "searchCondition",
			fileName: chosen.fileName,
			positives: positives.value,
			negatives: negatives.value,
			thresholdRange: grid.value.range,
			step: grid.value.step
		});
	};
	const promptList = (label: string, key: "positives" | "negatives", placeholder: string) =>
		h(
			"label",
			{ class: "column" },
			label,
			h("vscode-text-area", {
				value: form[key],
				rows: 4,
				resize: "vertical",
				placeholder,
				"aria-label": label,
				"data-focus-key": `condition-${key}`,
				oninput: (event: Event) => {
					form[key] = valueOf(event);
					changed();
					updateButton();
				},
				onchange: () => changed(true)
			})
		);
	const number = (label: string, key: "low" | "high" | "step") =>
		h(
			"label",
			{},
			`${label} `,
			h("input", {
				type: "number",
				min: 0,
				max: 1,
				step: 0.01,
				value: form[key],
				"aria-label": `Threshold ${label}`,
				oninput: (event: Event) => {
					form[key] = valueOf(event);
					changed();
					updateButton();
				},
				onchange: (event: Event) => {
					form[key] = valueOf(event);
					changed(true);
				}
			})
		);

	return h(
		"div",
		{ id: "condition-editor", class: "condition" },
		h("h3", {}, "Steer only for some prompts (conditions)"),
		h(
			"p",
			{ class: "muted" },
			"A condition vector recognises a kind of prompt. Give prompts it should match and prompts it should not; Steer finds the layer and the similarity threshold that tell them apart, and the rule says which vector steers when."
		),
		h(
			"div",
			{ class: "row" },
			h(
				"label",
				{},
				"Condition vector ",
				h(
					"vscode-dropdown",
					{
						"aria-label": "Condition vector",
						onchange: (event: Event) => {
							form.vector = valueOf(event);
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
			)
		),
		h(
			"div",
			{ class: "columns" },
			promptList("Prompts it should match, one a line", "positives", "A story about a dog"),
			promptList("Prompts it should not match, one a line", "negatives", "A story about a cat")
		),
		h(
			"div",
			{
				class: "row",
				title: "Similarities to try as the threshold, from 0 (anything matches) to 1 (only the same)"
			},
			number("from", "low"),
			number("to", "high"),
			number("step", "step")
		),
		h(
			"div",
			{ class: "row" },
			h(
				"vscode-button",
				{
					id: "search-condition",
					disabled: !state.model || !chosen || inputError !== undefined || form.progress !== undefined,
					onclick: start
				},
				"Find layer and threshold"
			),
			form.progress
				? h(
						"span",
						{ class: "progress" },
						h("progress", {
							id: "condition-progress",
							max: Math.max(1, form.progress.total),
							value: form.progress.done,
							"aria-label": "Condition search progress"
						}),
						h(
							"vscode-button",
							{ appearance: "secondary", onclick: () => post({ type: "cancelConditionSearch" }) },
							"Stop"
						)
					)
				: null
		),
		!chosen
			? h(
					"p",
					{ class: "muted" },
					"Train or import a vector that fits the loaded model to use it as a condition."
				)
			: null,
		inputError && !blank ? h("p", { class: "error", role: "alert" }, inputError) : null,
		form.message ? h("p", { class: "error", role: "alert" }, form.message) : null,
		form.result ? searchResult(form.result) : null,
		h(
			"label",
			{ class: "rule" },
			"Rule ",
			h("vscode-text-field", {
				value: form.rule,
				placeholder: "if C1 and not C2 then B2",
				"aria-label": "Steering rule",
				"data-focus-key": "condition-rule",
				oninput: (event: Event) => {
					form.rule = valueOf(event);
					changed();
					clearTimeout(ruleTimer);
					const source = form.rule;
					ruleTimer = setTimeout(() => post({ type: "checkRule", source }), RULE_CHECK_DELAY_MS);
				}
			})
		),
		ruleFeedback(form)
	);
}

/** The rule's problem with a caret under its column; replaced in place when the host answers. */
export function ruleFeedback(form: ConditionState): HTMLElement {
	const problem = form.ruleCheck && form.ruleCheck.source === form.rule ? form.ruleCheck : undefined;
	if (!problem || form.rule.trim() === "") return h("div", { id: "rule-feedback" });
	return h(
		"div",
		{ id: "rule-feedback", class: "error", role: "alert" },
		h("pre", { class: "rule-caret" }, `${problem.source}\n${" ".repeat(Math.max(0, problem.column - 1))}^`),
		`Column ${problem.column}: ${problem.message}`
	);
}

function searchResult(search: ConditionSearchView): HTMLElement {
	const { best } = search;
	const side = best.direction === "larger" ? "above" : "below";
	return h(
		"div",
		{},
		h(
			"p",
			{ id: "condition-best" },
			`Best: layer ${best.layer}, similarity ${side} ${best.threshold.toFixed(3)} — F1 ${best.f1.toFixed(2)} (precision ${best.precision.toFixed(2)}, recall ${best.recall.toFixed(2)}) over ${search.positives} + ${search.negatives} prompts.`
		),
		h(
			"table",
			{ id: "condition-table", class: "sweep-table" },
			h(
				"thead",
				{},
				h(
					"tr",
					{},
					h("th", { scope: "col" }, "Layer"),
					h("th", { scope: "col" }, "Best F1"),
					h("th", { scope: "col" }, "Threshold"),
					h("th", { scope: "col" }, "")
				)
			),
			h(
				"tbody",
				{},
				...search.perLayer.map((point) =>
					h(
						"tr",
						{ "data-layer": point.layer, class: point.layer === best.layer ? "best" : undefined },
						h("td", {}, String(point.layer)),
						h("td", {}, point.f1.toFixed(2)),
						h("td", {}, `${point.direction === "larger" ? ">" : "<"} ${point.threshold.toFixed(3)}`),
						h(
							"td",
							{ class: "f1-bar", "aria-hidden": "true" },
							h("span", { style: `width: ${Math.round(point.f1 * 100)}%` })
						)
					)
				)
			)
		)
	);
}
