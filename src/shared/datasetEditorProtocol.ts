/**
 * The messages between the dataset editor (an untrusted webview showing a dataset file as a grid)
 * and its host, as valibot schemas: the TypeScript types are inferred from them, so a message kind
 * cannot exist in the types without being checked. Text sizes are capped so that a misbehaving page
 * cannot make the host build huge edits.
 */
import * as v from "valibot";

/** The fields a dataset line can carry that the grid edits (a history array needs the text editor). */
export const GRID_COLUMNS = ["system", "prompt", "positive", "negative", "completion", "label", "id"] as const;
export type GridColumn = (typeof GRID_COLUMNS)[number];

const MAX_CELL_LENGTH = 100_000;
const MAX_ROWS_PER_MESSAGE = 10_000;

const Line = v.pipe(v.number(), v.integer(), v.minValue(1));
const Text = v.pipe(v.string(), v.maxLength(MAX_CELL_LENGTH));
const Column = v.picklist(GRID_COLUMNS);
const Cells = v.record(Column, Text);

export const DatasetEditorMessage = v.variant("type", [
	v.object({ type: v.literal("ready") }),
	v.object({ type: v.literal("setCell"), line: Line, column: Column, value: Text }),
	v.object({ type: v.literal("setLineText"), line: Line, value: Text }),
	v.object({ type: v.literal("appendRows"), rows: v.pipe(v.array(Cells), v.minLength(1), v.maxLength(MAX_ROWS_PER_MESSAGE)) }),
	v.object({ type: v.literal("deleteRow"), line: Line }),
	v.object({ type: v.literal("openAsText") }),
	v.object({ type: v.literal("train") })
]);
export type DatasetEditorMessage = v.InferOutput<typeof DatasetEditorMessage>;

const GridRowSchema = v.object({
	line: Line,
	cells: v.optional(v.record(v.string(), v.string())),
	raw: v.optional(v.string()),
	problems: v.array(v.string()),
	warnings: v.array(v.string())
});

export const DatasetEditorUpdate = v.variant("type", [
	v.object({
		type: v.literal("grid"),
		fileName: v.string(),
		kind: v.picklist(["pair", "example"]),
		columns: v.array(Column),
		required: v.array(v.string()),
		rows: v.array(GridRowSchema),
		fileProblems: v.array(v.string()),
		readOnlyReason: v.optional(v.string()),
		/** Training needs a loaded model; the button says why it is missing otherwise. */
		canTrain: v.boolean()
	}),
	v.object({ type: v.literal("error"), message: v.string() })
]);
export type DatasetEditorUpdate = v.InferOutput<typeof DatasetEditorUpdate>;
export type GridUpdate = Extract<DatasetEditorUpdate, { type: "grid" }>;

/** Reads a message from the page, or says what is wrong with it. */
export function readDatasetEditorMessage(
	value: unknown
): { ok: true; message: DatasetEditorMessage } | { ok: false; problem: string } {
	const result = v.safeParse(DatasetEditorMessage, value);
	if (result.success) return { ok: true, message: result.output };
	const issue = result.issues[0];
	const where = v.getDotPath(issue);
	return { ok: false, problem: `${where ? `${where}: ` : ""}${issue.message}` };
}
