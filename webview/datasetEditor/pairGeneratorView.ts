/**
 * The dataset editor's "Generate pairs" form: a persona template crossed with answer openings, or a
 * single prompt pair. What it makes is appended to the file (and can be undone like any edit).
 */
import { h, valueOf } from "../dom";
import { parsePairGenerator, type PairGeneratorForm } from "../pairGeneratorInput";
import type { PairGenerator } from "../../src/shared/datasetEditorProtocol";
import { TOOLKIT_TAGS } from "../toolkit";

const MODE_LABELS: Record<PairGenerator["mode"], string> = {
	persona: "From a persona template",
	promptPair: "One pair of prompts"
};

/** Renders into `root` (and again when the mode changes); `generate` gets a generator the form checked. */
export function renderPairGenerator(
	root: HTMLElement,
	form: PairGeneratorForm,
	generate: (generator: PairGenerator) => void
): void {
	let message: string | undefined;
	const draw = () => {
		const field = (
			key: Exclude<keyof PairGeneratorForm, "mode">,
			label: string,
			placeholder: string,
			hint: string
		) =>
			h(
				"label",
				{ class: "field wide", title: hint },
				label,
				h(TOOLKIT_TAGS.textField, {
					value: form[key],
					placeholder,
					"aria-label": label,
					oninput: (event: Event) => (form[key] = valueOf(event))
				})
			);
		const lines = (key: "positivePersonas" | "negativePersonas" | "suffixes", label: string, placeholder: string) =>
			h(
				"label",
				{ class: "column" },
				label,
				h(TOOLKIT_TAGS.textArea, {
					value: form[key],
					rows: 3,
					resize: "vertical",
					placeholder,
					"aria-label": label,
					oninput: (event: Event) => (form[key] = valueOf(event))
				})
			);
		const fields =
			form.mode === "persona"
				? [
						field(
							"template",
							"Template",
							"Act as if you're extremely {persona}.",
							"Each persona word replaces {persona}, once for the positive side and once for the negative"
						),
						h(
							"div",
							{ class: "generator-columns" },
							lines("positivePersonas", "Positive personas, one a line", "happy"),
							lines("negativePersonas", "Negative personas, one a line", "sad"),
							lines("suffixes", "Answer openings, one a line (none: the statement alone)", "I feel")
						)
					]
				: [
						field("positivePrompt", "Positive prompt", "Love", "The text with the concept"),
						field("negativePrompt", "Negative prompt", "Hate", "The text without it")
					];
		const parts: (HTMLElement | null)[] = [
			h(
				"label",
				{ class: "field wide" },
				"Make",
				h(
					TOOLKIT_TAGS.dropdown,
					{
						"aria-label": "Generator mode",
						onchange: (event: Event) => {
							form.mode = valueOf(event) === "promptPair" ? "promptPair" : "persona";
							draw();
						}
					},
					...(Object.keys(MODE_LABELS) as PairGenerator["mode"][]).map((mode) =>
						h(TOOLKIT_TAGS.option, { value: mode, selected: mode === form.mode }, MODE_LABELS[mode])
					)
				)
			),
			...fields,
			h(
				"div",
				{ class: "row" },
				h(
					TOOLKIT_TAGS.button,
					{
						id: "generate-pairs",
						appearance: "secondary",
						onclick: () => {
							const parsed = parsePairGenerator(form);
							if (!parsed.ok) {
								message = parsed.error;
								draw();
								return;
							}
							message = undefined;
							draw();
							generate(parsed.value);
						}
					},
					"Add the pairs to the file"
				)
			),
			message ? h("p", { class: "error", role: "alert" }, message) : null
		];
		root.replaceChildren(...parts.filter((part): part is HTMLElement => part !== null));
	};
	draw();
}
