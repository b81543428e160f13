/**
 * The dataset editor's page: the file as a full-width grid. It keeps no copy of the data: every edit
 * goes to the host, which changes the document and sends the grid back. Rows are patched in place
 * when an update arrives, so the cell being typed in keeps its focus, caret and scroll position.
 */
import type {
	DatasetEditorMessage,
	GridColumn,
	GridUpdate,
	DatasetEditorUpdate
} from "../../src/shared/datasetEditorProtocol";
import { countOf } from "../../src/shared/plainWords";
import {
	POSITION_CHOICES,
	TRAINING_METHOD_CHOICES,
	type PositionChoice,
	type TrainingMethod
} from "../../src/shared/webviewProtocol/messages";
import { connectToHost } from "../channel";
import { h } from "../dom";
import { registerToolkit, TOOLKIT_TAGS } from "../toolkit";
import { columnWords } from "./columnWords";
import { INITIAL_PAIR_GENERATOR_FORM } from "../pairGeneratorInput";
import { renderPairGenerator } from "./pairGeneratorView";
import { rowsFromPaste } from "./paste";

registerToolkit();
const host = connectToHost<DatasetEditorMessage, DatasetEditorUpdate>();
const app = document.getElementById("app") as HTMLElement;

/** How long typing may pause before the cell is written to the document (one undo step per pause). */
const COMMIT_AFTER_MS = 600;

let grid: GridUpdate | undefined;
let error: string | undefined;
let shape = "";
/** The training of this file: its progress while it runs, then its outcome. */
let training:
	| { state: "running"; phase: string; done: number; total: number }
	| { state: "trained"; vectorFileName: string; suggested: readonly [number, number] }
	| { state: "failed"; message: string }
	| undefined;
let method: TrainingMethod = "pca-diff";
let positions: PositionChoice = "last";
let layers = "all";

const METHOD_LABELS: Record<TrainingMethod, string> = {
	"pca-diff": "Main direction of the differences (PCA, default)",
	"mean-diff": "Average difference",
	"pca-center": "Main direction of the centred pairs (repeng)",
	probe: "Classifier (logistic probe)"
};
const POSITION_LABELS: Record<PositionChoice, string> = {
	last: "the last token of each text",
	mean: "every token, averaged",
	suffix: "the completion's tokens only"
};

const header = h("header", { class: "editor-header" });
const summary = h("span", { class: "summary", id: "summary" });
const trainButton = h(
	TOOLKIT_TAGS.button,
	{ id: "train", onclick: () => host.post({ type: "train", method, positions, layers: layers.trim() || "all" }) },
	"Train vector"
);
const notices = h("div", { class: "notices" });
const trainingStatus = h("div", { class: "training-status", id: "training-status", "aria-live": "polite" });
const generator = h(
	"details",
	{ class: "generator", id: "pair-generator" },
	h("summary", {}, "Generate pairs from a template")
);
const generatorBody = h("div", {});
generator.append(generatorBody);
renderPairGenerator(generatorBody, { ...INITIAL_PAIR_GENERATOR_FORM }, (pairGenerator) =>
	host.post({ type: "generatePairs", generator: pairGenerator })
);
header.append(
	h("h1", { id: "file-name" }),
	summary,
	h(
		"span",
		{ class: "actions" },
		choice(
			"Method",
			"How the direction is found from the pairs",
			TRAINING_METHOD_CHOICES,
			METHOD_LABELS,
			() => method,
			(value) => (method = value)
		),
		choice(
			"Reads",
			"Which tokens' hidden states are compared",
			POSITION_CHOICES,
			POSITION_LABELS,
			() => positions,
			(value) => (positions = value)
		),
		h(
			"label",
			{
				class: "choice",
				title: "Which layers to train and steer: all, a range such as 2-4, or top:3 for the 3 that tell the sides apart best"
			},
			"Layers ",
			h("input", {
				id: "train-layers",
				class: "layers-input",
				value: layers,
				size: 6,
				"aria-label": "Layers to train",
				oninput: (event: Event) => (layers = (event.target as HTMLInputElement).value)
			})
		),
		trainButton,
		h(
			TOOLKIT_TAGS.button,
			{
				appearance: "secondary",
				id: "open-as-text",
				title: "Open this file in the text editor",
				onclick: () => host.post({ type: "openAsText" })
			},
			"Open as text"
		)
	)
);

/** A labelled dropdown built once: updates of the grid never close it or lose its choice. */
function choice<Value extends string>(
	label: string,
	hint: string,
	values: readonly Value[],
	labels: Record<Value, string>,
	current: () => Value,
	choose: (value: Value) => void
): HTMLElement {
	return h(
		"label",
		{ class: "choice", title: hint },
		`${label} `,
		h(
			TOOLKIT_TAGS.dropdown,
			{
				"aria-label": label,
				onchange: (event: Event) => choose((event.target as HTMLSelectElement).value as Value)
			},
			...values.map((value) => h(TOOLKIT_TAGS.option, { value, selected: value === current() }, labels[value]))
		)
	);
}
const table = h("table", { class: "dataset-grid" });
const head = h("thead");
const body = h("tbody");
table.append(head, body);

/** Cells typed in but not yet written: an update must not overwrite them. */
const pending = new Map<HTMLTextAreaElement, ReturnType<typeof setTimeout>>();

host.onMessage((message) => {
	switch (message.type) {
		case "error":
			error = message.message;
			break;
		case "grid":
			grid = message;
			break;
		case "training":
			training = { state: "running", phase: message.phase, done: message.done, total: message.total };
			break;
		case "trained":
			training = { state: "trained", vectorFileName: message.vectorFileName, suggested: message.suggested };
			break;
		case "trainingFailed":
			training = { state: "failed", message: message.message };
			break;
		case "trainingStopped":
			// The outcome, when this page started it, follows; otherwise there is nothing more to show.
			if (training?.state === "running") training = undefined;
			break;
	}
	render();
});
host.post({ type: "ready" });

function render(): void {
	if (!grid) return;
	if (!app.contains(table)) app.replaceChildren(header, trainingStatus, notices, table, generator);
	renderHeader(grid);
	renderTraining();
	renderNotices(grid);
	generator.hidden = grid.kind !== "pair" || grid.readOnlyReason !== undefined;
	const nextShape = `${grid.kind}|${grid.columns.join(",")}|${grid.readOnlyReason ?? ""}`;
	if (nextShape !== shape) {
		// Other columns: the rows are rebuilt; a change of content alone only patches them.
		shape = nextShape;
		head.replaceChildren(headRow(grid));
		body.replaceChildren();
	}
	patchRows(grid);
}

function renderHeader(update: GridUpdate): void {
	const usable = update.rows.filter((row) => row.cells && row.problems.length === 0).length;
	const broken = update.rows.filter((row) => row.problems.length > 0).length;
	const noun = update.kind === "pair" ? "pair" : "labelled example";
	(header.querySelector("#file-name") as HTMLElement).textContent = update.fileName;
	summary.textContent = `${countOf(usable, `usable ${noun}`)}${broken > 0 ? ` · ${countOf(broken, "line")} to fix` : ""}`;
	const running = training?.state === "running";
	const disabled = !update.canTrain || usable === 0 || running;
	if (disabled) trainButton.setAttribute("disabled", "");
	else trainButton.removeAttribute("disabled");
	trainButton.title = update.trainHint
		? update.trainHint
		: !update.canTrain
			? "Load a model first: training reads the model's hidden states"
			: usable === 0
				? "Add pairs first"
				: "Train a steering vector from this dataset (saves the file first)";
}

/** Progress while this file trains, then what came of it, where the user started it. */
function renderTraining(): void {
	if (!training) {
		trainingStatus.replaceChildren();
		return;
	}
	if (training.state === "running") {
		const bar = h("progress", { max: Math.max(1, training.total), value: training.done }) as HTMLProgressElement;
		trainingStatus.replaceChildren(
			h(
				"div",
				{ class: "progress" },
				h(
					"span",
					{},
					`Training: ${PHASE_WORDS[training.phase] ?? training.phase} ${training.done}/${training.total}`
				),
				bar,
				h(
					TOOLKIT_TAGS.button,
					{ appearance: "secondary", onclick: () => host.post({ type: "cancelTraining" }) },
					"Cancel"
				)
			)
		);
		return;
	}
	if (training.state === "failed") {
		trainingStatus.replaceChildren(h("p", { class: "error" }, training.message));
		return;
	}
	const { vectorFileName, suggested } = training;
	trainingStatus.replaceChildren(
		h(
			"p",
			{ class: "result" },
			`Trained ${vectorFileName}; it steers ${suggested[0] === suggested[1] ? `layer ${suggested[0]}` : `layers ${suggested[0]}–${suggested[1]}`}. `,
			h(
				"button",
				{
					class: "link",
					id: "open-trained",
					onclick: () => host.post({ type: "openVector", fileName: vectorFileName })
				},
				"Open it"
			),
			" to see how well it separates the pairs, or tick it in the Vectors view to steer with it."
		)
	);
}

const PHASE_WORDS: Record<string, string> = {
	capture: "reading hidden states",
	train: "finding the direction",
	calibrating: "choosing strength 1",
	save: "saving"
};

function renderNotices(update: GridUpdate): void {
	const items = [
		error &&
			h(
				"div",
				{ class: "banner error", role: "alert" },
				error,
				h("button", { class: "link", onclick: () => ((error = undefined), render()) }, "Dismiss")
			),
		update.readOnlyReason && h("p", { class: "warning" }, `Read only: ${update.readOnlyReason}.`),
		...update.fileProblems.map((problem) => h("p", { class: "error" }, problem)),
		h(
			"p",
			{ class: "muted hint" },
			update.kind === "pair"
				? "Each row is a contrast pair: the same text written with the concept (positive) and without it (negative). "
				: "Each row is a labelled example: a completion with 1 if it shows the concept, 0 if not. ",
			"Type in the last row to add one; paste rows copied from a spreadsheet to add many. Undo, redo and save work as in any file."
		)
	];
	notices.replaceChildren(...items.filter((item): item is HTMLElement => Boolean(item)));
}

function headRow(update: GridUpdate): HTMLElement {
	return h(
		"tr",
		{},
		h("th", { class: "line-number", title: "Line in the file" }, "Line"),
		...update.columns.map((column) => {
			const words = columnWords(column, update.kind);
			return h("th", { title: words.hint, "data-column": column }, words.title);
		}),
		h("th", { class: "problems" }, "Problems"),
		h("th", { class: "row-actions" }, h("span", { class: "visually-hidden" }, "Actions"))
	);
}

/**
 * Brings the rows in line with the file, in place. The empty last row is one element that never
 * moves (moving it would take the focus from a cell being typed in and commit half a row): the
 * file's rows are patched, added and removed before it.
 */
function patchRows(update: GridUpdate): void {
	let last = body.querySelector<HTMLTableRowElement>("tr.new-row");
	if (!last) {
		last = newRow(update);
		body.append(last);
	}
	update.rows.forEach((row, index) => {
		const kind = row.cells ? "record" : "raw";
		let element = body.children[index] as HTMLTableRowElement;
		if (element === last || element.dataset.kind !== kind) {
			const fresh = kind === "raw" ? rawRow(update) : recordRow(update);
			if (element === last) body.insertBefore(fresh, last);
			else element.replaceWith(fresh);
			element = fresh;
		}
		patchRow(element, row, update);
	});
	while (body.children.length > update.rows.length + 1) (last.previousElementSibling as HTMLElement).remove();
}

type Row = GridUpdate["rows"][number];

function patchRow(element: HTMLTableRowElement, row: Row, update: GridUpdate): void {
	element.dataset.line = String(row.line);
	element.classList.toggle("has-problems", row.problems.length > 0);
	(element.querySelector(".line-number") as HTMLElement).textContent = String(row.line);
	element.querySelectorAll<HTMLTextAreaElement>("textarea").forEach((area) => {
		const column = area.dataset.column as GridColumn | undefined;
		const value = column ? (row.cells?.[column] ?? "") : (row.raw ?? "");
		if (!pending.has(area) && area.value !== value) area.value = value;
		area.setAttribute("aria-label", `${column ?? "text"}, line ${row.line}`);
		area.readOnly = update.readOnlyReason !== undefined;
		area.classList.toggle(
			"missing",
			column !== undefined && update.required.includes(column) && value.trim() === "" && row.cells !== undefined
		);
	});
	const problems = element.querySelector(".problems") as HTMLElement;
	problems.replaceChildren(
		...row.problems.map((problem) => h("div", { class: "error" }, problem)),
		...row.warnings.map((warning) => h("div", { class: "warning" }, warning))
	);
	const remove = element.querySelector(".delete-row") as HTMLButtonElement;
	remove.setAttribute("aria-label", `Delete line ${row.line}`);
	remove.disabled = update.readOnlyReason !== undefined;
}

function recordRow(update: GridUpdate): HTMLTableRowElement {
	const row = h("tr", { "data-kind": "record" }) as HTMLTableRowElement;
	row.append(
		h("td", { class: "line-number" }),
		...update.columns.map((column) =>
			h(
				"td",
				{},
				cellEditor(column, update, (value) => {
					host.post({ type: "setCell", line: Number(row.dataset.line), column, value });
				})
			)
		),
		h("td", { class: "problems" }),
		h("td", { class: "row-actions" }, deleteButton(row))
	);
	return row;
}

function rawRow(update: GridUpdate): HTMLTableRowElement {
	const row = h("tr", { "data-kind": "raw" }) as HTMLTableRowElement;
	const area = editableText("raw", (value) =>
		host.post({ type: "setLineText", line: Number(row.dataset.line), value })
	);
	area.title = "This line is not a record the grid can show; fix its text here or in the text editor";
	row.append(
		h("td", { class: "line-number" }),
		h("td", { colspan: update.columns.length }, area),
		h("td", { class: "problems" }),
		h("td", { class: "row-actions" }, deleteButton(row))
	);
	return row;
}

/** The empty last row: what is typed there becomes a new row when the focus leaves the row. */
function newRow(update: GridUpdate): HTMLTableRowElement {
	const row = h("tr", { "data-kind": "new", class: "new-row" }) as HTMLTableRowElement;
	const areas = update.columns.map((column) => {
		const area = h("textarea", {
			rows: 1,
			"data-new-column": column,
			"aria-label": `${column}, new row`,
			placeholder: column === update.columns.find((c) => update.required.includes(c)) ? "Type to add a row…" : "",
			readonly: update.readOnlyReason !== undefined
		}) as HTMLTextAreaElement;
		area.addEventListener("paste", (event) => pasteRows(event, column, update, true));
		return area;
	});
	row.addEventListener("focusout", (event) => {
		if (row.contains((event as FocusEvent).relatedTarget as Node | null)) return;
		const cells: Partial<Record<GridColumn, string>> = {};
		update.columns.forEach((column, index) => {
			if (areas[index].value.trim() !== "") cells[column] = areas[index].value;
		});
		if (Object.keys(cells).length === 0) return;
		host.post({ type: "appendRows", rows: [cells] });
		for (const area of areas) area.value = "";
	});
	row.append(
		h("td", { class: "line-number muted" }, "new"),
		...areas.map((area) => h("td", {}, area)),
		h("td", { class: "problems" }),
		h("td", { class: "row-actions" })
	);
	return row;
}

function cellEditor(column: GridColumn, update: GridUpdate, commit: (value: string) => void): HTMLTextAreaElement {
	const area = editableText(column, commit);
	area.addEventListener("paste", (event) => pasteRows(event, column, update));
	return area;
}

/** A wrapping text cell that writes to the document after a pause in typing, and when left. */
function editableText(column: string, commit: (value: string) => void): HTMLTextAreaElement {
	const area = h("textarea", {
		rows: 1,
		...(column === "raw" ? {} : { "data-column": column })
	}) as HTMLTextAreaElement;
	const flush = () => {
		const timer = pending.get(area);
		if (timer === undefined) return;
		clearTimeout(timer);
		pending.delete(area);
		commit(area.value);
	};
	area.addEventListener("input", () => {
		const timer = pending.get(area);
		if (timer !== undefined) clearTimeout(timer);
		pending.set(area, setTimeout(flush, COMMIT_AFTER_MS));
	});
	area.addEventListener("blur", flush);
	return area;
}

function deleteButton(row: HTMLTableRowElement): HTMLElement {
	return h(
		"button",
		{
			class: "delete-row icon-button",
			title: "Delete this row (undo brings it back)",
			onclick: () => host.post({ type: "deleteRow", line: Number(row.dataset.line) })
		},
		"×"
	);
}

/**
 * Cells copied from a spreadsheet (tab-separated) become new rows at the end; so do several lines
 * pasted into the empty last row. Lines pasted into a row of the file are that cell's text.
 */
function pasteRows(event: ClipboardEvent, column: GridColumn, update: GridUpdate, intoNewRow = false): void {
	if (update.readOnlyReason) return;
	const text = event.clipboardData?.getData("text/plain") ?? "";
	if (!intoNewRow && !text.includes("\t")) return;
	const rows = rowsFromPaste(text, update.columns, column);
	if (!rows) return;
	event.preventDefault();
	const cells = rows.filter((cellsOfRow) => Object.keys(cellsOfRow).length > 0);
	if (cells.length > 0) host.post({ type: "appendRows", rows: cells });
}
