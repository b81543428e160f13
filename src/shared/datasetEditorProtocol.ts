/**
 * The messages between the dataset editor (an untrusted webview showing a dataset file as a grid)
 * and its host, as valibot schemas: the TypeScript types are inferred from them, so a message kind
 * cannot exist in the types without being checked. Text sizes are capped so that a misbehaving page
 * cannot make the host build huge edits.
 */
import * as v from "valibot";
import { readMessage, type ReadMessage } from "./readMessage";
import {
	IF_EXISTS_CHOICES,
	MESSAGE_LIMITS,
	POSITION_CHOICES,
	TRAINING_METHOD_CHOICES
} from "./webviewProtocol/messages";

/** The fields a dataset line can carry that the grid edits (a history array needs the text editor). */
export const GRID_COLUMNS = ["system", "prompt", "positive", "negative", "completion", "label", "id"] as const;
export type GridColumn = (typeof GRID_COLUMNS)[number];

const MAX_CELL_LENGTH = 100_000;
const MAX_ROWS_PER_MESSAGE = 10_000;

const Line = v.pipe(v.number(), v.integer(), v.minValue(1));
const Text = v.pipe(v.string(), v.maxLength(MAX_CELL_LENGTH));
const Column = v.picklist(GRID_COLUMNS);
const Cells = v.record(Column, Text);

const bounded = (max: number, what: string) =>
	v.pipe(v.string(), v.maxLength(max, `${what} is longer than ${max} characters`));
const Personas = v.pipe(
	v.array(bounded(MESSAGE_LIMITS.maxPersonaLength, "a persona")),
	v.minLength(1, "give at least one persona a side"),
	v.maxLength(MESSAGE_LIMITS.maxPersonas, `at most ${MESSAGE_LIMITS.maxPersonas} personas a side`),
	v.readonly()
);

/** What the generators of the datasets module take (see pairGeneration.ts on the host). */
export const PairGeneratorSchema = v.variant("mode", [
	v.pipe(
		v.strictObject({
			mode: v.literal("persona"),
			template: bounded(MESSAGE_LIMITS.maxTemplateLength, "the template"),
			positive: Personas,
			negative: Personas,
			suffixes: v.pipe(
				v.array(bounded(MESSAGE_LIMITS.maxSuffixLength, "an answer opening")),
				v.minLength(1, "give at least one answer opening (an empty one: the statement alone)"),
				v.maxLength(MESSAGE_LIMITS.maxSuffixes, `at most ${MESSAGE_LIMITS.maxSuffixes} answer openings`),
				v.readonly()
			)
		}),
		v.check(
			(generator) => generator.positive.length * generator.suffixes.length <= MESSAGE_LIMITS.maxPairs,
			`that would make more than ${MESSAGE_LIMITS.maxPairs} pairs`
		)
	),
	v.strictObject({
		mode: v.literal("promptPair"),
		positive: bounded(MESSAGE_LIMITS.maxFieldLength, "the positive prompt"),
		negative: bounded(MESSAGE_LIMITS.maxFieldLength, "the negative prompt")
	})
]);

export const DatasetEditorMessage = v.variant("type", [
	v.object({ type: v.literal("ready") }),
	v.object({ type: v.literal("setCell"), line: Line, column: Column, value: Text }),
	v.object({ type: v.literal("setLineText"), line: Line, value: Text }),
	v.object({
		type: v.literal("appendRows"),
		rows: v.pipe(v.array(Cells), v.minLength(1), v.maxLength(MAX_ROWS_PER_MESSAGE))
	}),
	v.object({ type: v.literal("deleteRow"), line: Line }),
	v.object({ type: v.literal("openAsText") }),
	v.object({ type: v.literal("generatePairs"), generator: PairGeneratorSchema }),
	/**
	 * `layers`: "all", "A-B", "i,j" or "top:K" (checked by the training, which names what is wrong);
	 * `ifExists`: when this dataset already has a vector for the model; the host asks when absent.
	 */
	v.object({
		type: v.literal("train"),
		method: v.picklist(TRAINING_METHOD_CHOICES),
		positions: v.picklist(POSITION_CHOICES),
		layers: v.pipe(v.string(), v.maxLength(MESSAGE_LIMITS.maxLayerSpecLength)),
		ifExists: v.optional(v.picklist(IF_EXISTS_CHOICES))
	}),
	v.object({ type: v.literal("cancelTraining") }),
	v.object({ type: v.literal("openVector"), fileName: v.pipe(v.string(), v.maxLength(255)) })
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
		/** Training needs a loaded model and a file of Steer's datasets folder; the button says why not. */
		canTrain: v.boolean(),
		trainHint: v.optional(v.string())
	}),
	v.object({ type: v.literal("error"), message: v.string() }),
	/** Training of this file: where it is; `done` once the vector is written (or it failed or stopped). */
	v.object({
		type: v.literal("training"),
		phase: v.picklist(["capture", "train", "calibrating", "save"]),
		done: v.number(),
		total: v.number()
	}),
	v.object({
		type: v.literal("trained"),
		vectorFileName: v.string(),
		suggested: v.tuple([v.number(), v.number()])
	}),
	v.object({ type: v.literal("trainingFailed"), message: v.string() }),
	/** The training of this file ended, whoever started it; an outcome may follow. */
	v.object({ type: v.literal("trainingStopped") })
]);
export type DatasetEditorUpdate = v.InferOutput<typeof DatasetEditorUpdate>;
export type GridUpdate = Extract<DatasetEditorUpdate, { type: "grid" }>;

/** Reads a message from the page, or says what is wrong with it. */
export function readDatasetEditorMessage(value: unknown): ReadMessage<DatasetEditorMessage> {
	return readMessage(DatasetEditorMessage, value);
}

/** How the "Generate pairs" form asks for pairs (persona statements × answer openings, or one prompt pair). */
export type PairGenerator = v.InferOutput<typeof PairGeneratorSchema>;
