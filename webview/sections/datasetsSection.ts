/**
 * Datasets: the list with renaming, and a grid editor for the pairs of the open one with per-row
 * errors and a form that generates pairs into it.
 */
import { countOf, h, section, valueOf } from "../dom";
import { post, type ViewState } from "../host";
import type { PanelState, PairRow } from "../../src/shared/webviewProtocol/messages";
import { pairGeneratorView } from "./pairGeneratorView";

export function datasetsSection(
	state: PanelState,
	view: ViewState,
	changed: (rerender?: boolean) => void
): HTMLElement {
	const list = h(
		"ul",
		{ class: "list", role: "list" },
		...state.datasets.map((dataset) =>
			h(
				"li",
				{ class: dataset.fileName === view.openDataset ? "selected" : undefined },
				h(
					"button",
					{ class: "link", onclick: () => post({ type: "openDataset", fileName: dataset.fileName }) },
					dataset.fileName
				),
				h(
					"vscode-button",
					{
						appearance: "icon",
						"aria-label": `Rename ${dataset.fileName}`,
						title: "Rename",
						onclick: () => {
							view.renaming = { fileName: dataset.fileName, newFileName: dataset.fileName };
							changed(true);
						}
					},
					"✎"
				),
				h(
					"vscode-button",
					{
						appearance: "icon",
						"aria-label": `Delete ${dataset.fileName}`,
						title: "Delete",
						onclick: () => post({ type: "deleteDataset", fileName: dataset.fileName })
					},
					"✕"
				),
				view.renaming?.fileName === dataset.fileName ? renameForm(view, changed) : null
			)
		)
	);
	return section(
		"datasets",
		`Datasets (${state.datasets.length})`,
		state.datasets.length === 0 ? h("p", { class: "muted" }, "No datasets yet.") : list,
		h(
			"div",
			{ class: "row" },
			h(
				"vscode-button",
				{ appearance: "secondary", onclick: () => post({ type: "runCommand", command: "newDataset" }) },
				"New dataset…"
			)
		),
		view.openDataset ? pairGrid(view, changed) : null
	);
}

function renameForm(view: ViewState, changed: (rerender?: boolean) => void): HTMLElement {
	const renaming = view.renaming as NonNullable<ViewState["renaming"]>;
	return h(
		"div",
		{ class: "rename", role: "group", "aria-label": `Rename ${renaming.fileName}` },
		h("vscode-text-field", {
			value: renaming.newFileName,
			"aria-label": "New file name",
			"data-focus-key": "rename-dataset",
			oninput: (event: Event) => {
				renaming.newFileName = valueOf(event);
				changed();
			}
		}),
		h(
			"vscode-button",
			{
				onclick: () =>
					post({ type: "renameDataset", fileName: renaming.fileName, newFileName: renaming.newFileName })
			},
			"Rename"
		),
		h(
			"vscode-button",
			{
				appearance: "secondary",
				onclick: () => {
					view.renaming = undefined;
					changed(true);
				}
			},
			"Cancel"
		),
		renaming.message ? h("p", { class: "error", role: "alert" }, renaming.message) : null
	);
}

function pairGrid(view: ViewState, changed: (rerender?: boolean) => void): HTMLElement {
	const fileName = view.openDataset as string;
	const edit = (index: number, field: keyof PairRow, value: string) => {
		const row = { ...view.rows[index], [field]: value };
		if (field === "prompt" && value === "") delete (row as { prompt?: string }).prompt;
		view.rows[index] = row;
		view.dirty = true;
		changed();
	};
	const rows = view.rows.map((row, index) => {
		const issues = view.rowIssues.filter((issue) => issue.row === index);
		const cell = (field: keyof PairRow, label: string) =>
			h("vscode-text-field", {
				value: row[field] ?? "",
				"aria-label": `${label}, row ${index + 1}`,
				"data-focus-key": `pair-${index}-${field}`,
				placeholder: label,
				class: issues.some((issue) => issue.field === field) ? "invalid" : undefined,
				oninput: (event: Event) => edit(index, field, valueOf(event))
			});
		return h(
			"div",
			{
				class: `pair${issues.length > 0 ? " has-issues" : ""}`,
				role: "group",
				"aria-label": `Pair ${index + 1}`
			},
			cell("prompt", "Prompt (optional)"),
			cell("positive", "Positive"),
			cell("negative", "Negative"),
			h(
				"vscode-button",
				{
					appearance: "icon",
					"aria-label": `Remove pair ${index + 1}`,
					title: "Remove pair",
					onclick: () => {
						view.rows.splice(index, 1);
						view.rowIssues = [];
						view.dirty = true;
						changed(true);
					}
				},
				"✕"
			),
			...issues.map((issue) =>
				h(
					"p",
					{ class: "error", role: "alert" },
					`Row ${index + 1}${issue.field ? ` (${issue.field})` : ""}: ${issue.message}`
				)
			)
		);
	});
	const unreadable = view.fileProblems.length > 0;
	return h(
		"div",
		{ class: "grid", id: "pair-grid" },
		h("h3", {}, `${fileName} — ${countOf(view.rows.length, "pair")}${view.dirty ? " (unsaved)" : ""}`),
		unreadable ? fileProblemsView(fileName, view.fileProblems) : null,
		...rows,
		h(
			"div",
			{ class: "row" },
			h(
				"vscode-button",
				{
					appearance: "secondary",
					onclick: () => {
						view.rows.push({ positive: "", negative: "" });
						view.dirty = true;
						changed(true);
					}
				},
				"Add pair"
			),
			h(
				"vscode-button",
				{
					id: "save-dataset",
					disabled: !view.dirty || unreadable,
					title: unreadable
						? "Fix the lines listed above in the text editor first: saving the grid would drop them"
						: "Write the pairs to the file",
					onclick: () =>
						post({
							type: "saveDataset",
							fileName,
							pairs: view.rows,
							...(view.revision ? { revision: view.revision } : {})
						})
				},
				"Save"
			)
		),
		view.saveMessage ? h("p", { class: "error", role: "alert", id: "save-message" }, view.saveMessage) : null,
		pairGeneratorView(fileName, view, changed)
	);
}

/** The lines the grid cannot show, where the user edits, with the way to fix them. */
function fileProblemsView(fileName: string, problems: readonly string[]): HTMLElement {
	return h(
		"div",
		{ class: "file-problems error", role: "alert", id: "file-problems" },
		h(
			"p",
			{},
			`${countOf(problems.length, "problem")} in ${fileName}: the grid shows only the valid pairs, and Save stays off until the file is fixed, so that no line is lost.`
		),
		h("ul", {}, ...problems.map((problem) => h("li", {}, problem))),
		h(
			"vscode-button",
			{ appearance: "secondary", onclick: () => post({ type: "openDatasetAsText", fileName }) },
			"Open as text"
		)
	);
}
