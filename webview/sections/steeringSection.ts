/**
 * The sidebar's Steering view: steering on or off, and the live controls of each active vector
 * (strength with the range a sweep measured as fluent, layers, where it acts, its condition).
 * Which vectors are active is chosen in the Vectors tree above; unticking here works too.
 */
import { h, section, valueOf } from "../dom";
import { post, type ViewState } from "../host";
import { STRENGTH_SLIDER_LIMIT, type PanelState, type VectorView } from "../../src/shared/webviewProtocol/messages";
import { conditionEditorView } from "./conditionEditorView";

export function steeringSection(
	state: PanelState,
	view: ViewState,
	changed: (rerender?: boolean) => void
): HTMLElement {
	const active = state.vectors.filter((vector) => vector.active);
	return section(
		"steering",
		`Steering (${active.length} active)`,
		h(
			"div",
			{ class: "row" },
			h(
				"vscode-checkbox",
				{
					id: "steering-enabled",
					checked: state.steeringEnabled,
					title: "Off: every generation is unsteered, whatever is ticked",
					onchange: (event: Event) =>
						post({ type: "setSteeringEnabled", enabled: (event.target as HTMLInputElement).checked })
				},
				"Steering on"
			)
		),
		active.length === 0
			? h(
					"p",
					{ class: "muted", id: "no-active-vectors" },
					state.vectors.length === 0
						? "No vectors yet: train one from a dataset, or import a control vector, in the Vectors view above."
						: "Tick a vector in the Vectors view above to steer with it; its controls appear here."
				)
			: null,
		...active.map((vector) => vectorCard(vector, state.placements)),
		active.length > 0 ? conditionEditorView(state, view, changed) : null
	);
}

/** Where the last sweep found the text fluent and where it fell apart, in the slider's units. */
function measuredText(measured: NonNullable<VectorView["measured"]>): string {
	const fluent = measured.fluentUpTo === null ? "no strength was fluent" : `fluent up to ±${measured.fluentUpTo}`;
	const broken = measured.degeneratesAt === null ? "" : `, text degenerates from ±${measured.degeneratesAt}`;
	return `Last sweep: ${fluent}${broken} (swept to ±${measured.measuredUpTo}).`;
}

/** Where the vector acts: a kind from the host's list, and K for `first:K`. */
function placementRow(vector: VectorView, placements: PanelState["placements"]): HTMLElement {
	const [kind, count] = vector.placement.split(":");
	const choose = (next: string) => post({ type: "setVectorPlacement", fileName: vector.fileName, placement: next });
	const current = placements.find((placement) => placement.kind === kind);
	return h(
		"div",
		{ class: "row placement" },
		h("span", {}, "Acts on"),
		h(
			"vscode-dropdown",
			{
				"aria-label": `${vector.name}: which tokens the vector acts on`,
				title: current?.description ?? "",
				onchange: (event: Event) => {
					const value = valueOf(event);
					choose(value === "first" ? `first:${count ?? 4}` : value);
				}
			},
			...placements.map((placement) =>
				h(
					"vscode-option",
					{ value: placement.kind, selected: placement.kind === kind, title: placement.description },
					placement.label
				)
			)
		),
		kind === "first" &&
			h("input", {
				type: "number",
				min: 1,
				value: count ?? 4,
				"aria-label": `${vector.name}: how many first tokens`,
				onchange: (event: Event) => {
					const value = Number(valueOf(event));
					if (Number.isInteger(value) && value >= 1) choose(`first:${value}`);
				}
			}),
		vector.placementChosen &&
			h(
				"vscode-button",
				{
					appearance: "icon",
					title: "Use the placement the vector file asks for",
					"aria-label": "Use the file's placement",
					onclick: () => post({ type: "setVectorPlacement", fileName: vector.fileName, placement: null })
				},
				"↺"
			)
	);
}

/**
 * Under the slider, the strengths the last sweep found fluent, drawn on the slider's own scale; none
 * before a sweep (nothing measured, nothing to mark).
 */
function fluentBand(vector: VectorView): HTMLElement | null {
	const fluentUpTo = vector.measured?.fluentUpTo;
	if (fluentUpTo === undefined || fluentUpTo === null) return null;
	const low = Math.min(-STRENGTH_SLIDER_LIMIT, vector.strength);
	const high = Math.max(STRENGTH_SLIDER_LIMIT, vector.strength);
	const at = (value: number) => ((Math.max(low, Math.min(high, value)) - low) / (high - low)) * 100;
	const band = h("span", {
		class: "fluent-band",
		title: `Fluent from ${-fluentUpTo} to ${fluentUpTo} in the last strength sweep`
	});
	band.style.left = `${at(-fluentUpTo)}%`;
	band.style.width = `${at(fluentUpTo) - at(-fluentUpTo)}%`;
	return h("span", { class: "fluent-track", "aria-hidden": "true" }, band);
}

function vectorCard(vector: VectorView, placements: PanelState["placements"]): HTMLElement {
	const first = vector.layers[0] ?? 1;
	const last = vector.layers.at(-1) ?? first;
	const range = vector.layerRange ?? [first, last];
	const strengthLabel = `Strength ${vector.strength.toFixed(2)}`;
	const strengthHint = vector.calibrated
		? "1 is the push this vector was calibrated to give; 0 is none; negative steers the other way"
		: "This file carries no calibration: 1 adds the vector as it is stored; 0 is none; negative steers the other way";
	const layerInput = (index: 0 | 1) =>
		h("input", {
			type: "number",
			min: first,
			max: last,
			value: range[index],
			"aria-label": index === 0 ? `${vector.name}: first layer` : `${vector.name}: last layer`,
			onchange: (event: Event) => {
				const next: [number, number] = [range[0], range[1]];
				next[index] = Number(valueOf(event));
				if (Number.isInteger(next[0]) && Number.isInteger(next[1]) && next[0] >= 1 && next[0] <= next[1]) {
					post({ type: "setVectorLayerRange", fileName: vector.fileName, range: next });
				}
			}
		});
	return h(
		"div",
		{ class: `vector${vector.active ? " active" : ""}`, "data-vector": vector.fileName },
		h(
			"div",
			{ class: "row" },
			h(
				"vscode-checkbox",
				{
					checked: vector.active,
					disabled: vector.problem !== undefined,
					onchange: (event: Event) =>
						post({
							type: "setVectorActive",
							fileName: vector.fileName,
							active: (event.target as HTMLInputElement).checked
						})
				},
				vector.name
			)
		),
		vector.problem ? h("p", { class: "error" }, vector.problem) : null,
		h(
			"label",
			{ class: "slider", title: strengthHint },
			h("span", {}, strengthLabel, vector.calibrated ? null : h("span", { class: "muted" }, " (uncalibrated)")),
			fluentBand(vector),
			h("input", {
				type: "range",
				// Widened to hold a strength set elsewhere, so the slider never sits pinned at a wrong value.
				min: Math.min(-STRENGTH_SLIDER_LIMIT, vector.strength),
				max: Math.max(STRENGTH_SLIDER_LIMIT, vector.strength),
				step: 0.05,
				value: vector.strength,
				"aria-label": `${vector.name} strength`,
				onchange: (event: Event) =>
					post({ type: "setVectorStrength", fileName: vector.fileName, strength: Number(valueOf(event)) })
			})
		),
		vector.measured ? h("p", { class: "muted measured" }, measuredText(vector.measured)) : null,
		vector.strengthWarning ? h("p", { class: "warning", role: "status" }, `⚠ ${vector.strengthWarning}`) : null,
		h(
			"div",
			{ class: "row layers" },
			h("span", {}, "Layers"),
			layerInput(0),
			h("span", {}, "–"),
			layerInput(1),
			vector.suggested &&
				h("span", { class: "muted" }, `suggested ${vector.suggested[0]}–${vector.suggested[1]}`),
			vector.layerRange &&
				h(
					"vscode-button",
					{
						appearance: "icon",
						title: "Use all layers",
						"aria-label": "Use all layers",
						onclick: () => post({ type: "setVectorLayerRange", fileName: vector.fileName, range: null })
					},
					"↺"
				)
		),
		placementRow(vector, placements)
	);
}
