/**
 * Capturing contrast pairs into the packed per-layer form training needs.
 *
 * One sample per text and layer: when the positions keep several rows (last:K, suffix, all) they are
 * averaged. Averaging rather than treating each row as its own sample because a pair's two texts
 * usually differ in length after the shared prompt, so their rows cannot be matched one to one, and a
 * pair must contribute exactly one positive and one negative row; the source is therefore asked for
 * the mean directly, which also keeps what crosses the process boundary to one row per text.
 *
 * Texts are captured a chunk of pairs at a time and copied straight into one preallocated buffer per
 * layer and side, so memory is pairs × layers × nEmbd floats, never one object per text.
 *
 * Labelled examples that come in no pairs (collectExampleActivations) are captured the same way, one
 * text each, into the buffer of their class.
 */
import type { LayerActivations, UnpairedLayerActivations } from "../training/activations";
import type { PositionSpec } from "../positions";
import type { HiddenStateSource, TextToCapture } from "./hiddenStateSource";

/** The part of a contrast pair capture needs (datasets' ContrastPair fits it). */
export interface PairTexts {
	readonly positive: string;
	readonly negative: string;
	readonly prompt?: string;
}

/** The part of a labelled, unpaired example capture needs (datasets' chat rendering gives these). */
export interface ExampleTexts {
	/** The text that shows (label 1) or lacks (label 0) the concept. */
	readonly completion: string;
	/** The text's beginning; the full text is prompt + completion, and suffix positions read the completion. */
	readonly prompt?: string;
	readonly label: 0 | 1;
}

export interface CollectOptions {
	readonly layers: readonly number[];
	readonly positions: PositionSpec;
	readonly nEmbd: number;
	/** Pairs per capture call. Default 16. */
	readonly chunkPairs?: number;
	readonly signal?: AbortSignal;
	/** (texts captured, texts in all) as captures finish. */
	readonly onProgress?: (done: number, total: number) => void;
}

/** The texts a pair is captured as; suffix positions need the pair's prompt. */
export function captureItemsOf(
	pair: PairTexts,
	index: number,
	positions: PositionSpec
): [TextToCapture, TextToCapture] {
	const prompt = pair.prompt ?? "";
	if (positions.select === "suffix") {
		if (prompt.length === 0) {
			throw new RangeError(
				`pair ${index + 1} has no prompt; suffix positions read the tokens after the prompt, so every pair needs one`
			);
		}
		return [
			{ text: prompt + pair.positive, prompt },
			{ text: prompt + pair.negative, prompt }
		];
	}
	return [{ text: prompt + pair.positive }, { text: prompt + pair.negative }];
}

export async function collectPairActivations(
	pairs: readonly PairTexts[],
	source: HiddenStateSource,
	options: CollectOptions
): Promise<LayerActivations[]> {
	if (pairs.length === 0) throw new RangeError("no contrast pairs to capture");
	checkCollectOptions(options);
	// Checked up front so that a dataset problem is reported before minutes of capturing.
	const items = pairs.flatMap((pair, index) =>
		captureItemsOf(pair, index, options.positions).map((item, side) => ({
			item,
			side: side === 0 ? ("positive" as const) : ("negative" as const),
			row: index,
			what: `pair ${index + 1} ${side === 0 ? "positive" : "negative"}`
		}))
	);
	const records = await collectRows(items, { positive: pairs.length, negative: pairs.length }, source, options);
	return records.map(({ layer, nEmbd, positive, negative }) => ({ layer, nEmbd, positive, negative }));
}

/** The text an example is captured as; suffix positions need its prompt. */
export function captureItemOfExample(example: ExampleTexts, index: number, positions: PositionSpec): TextToCapture {
	const prompt = example.prompt ?? "";
	if (positions.select === "suffix") {
		if (prompt.length === 0) {
			throw new RangeError(
				`example ${index + 1} has no prompt; suffix positions read the tokens after the prompt, so every example needs one`
			);
		}
		return { text: prompt + example.completion, prompt };
	}
	return { text: prompt + example.completion };
}

/**
 * Captures labelled examples into one unpaired record per layer: the label-1 texts' rows, in their
 * order, as positives, the label-0 ones as negatives.
 */
export async function collectExampleActivations(
	examples: readonly ExampleTexts[],
	source: HiddenStateSource,
	options: CollectOptions
): Promise<UnpairedLayerActivations[]> {
	if (examples.length === 0) throw new RangeError("no labelled examples to capture");
	checkCollectOptions(options);
	const counts = { positive: 0, negative: 0 };
	const items = examples.map((example, index) => {
		if (example.label !== 0 && example.label !== 1)
			throw new RangeError(`example ${index + 1} has label ${String(example.label)}; labels are 1 or 0`);
		const side = example.label === 1 ? ("positive" as const) : ("negative" as const);
		return {
			item: captureItemOfExample(example, index, options.positions),
			side,
			row: counts[side]++,
			what: `example ${index + 1}`
		};
	});
	const records = await collectRows(items, counts, source, options);
	return records.map(({ layer, nEmbd, positive, negative }) => ({ layer, nEmbd, positive, negative, paired: false }));
}

function checkCollectOptions(options: CollectOptions): void {
	if (options.layers.length === 0) throw new RangeError("no layers to capture");
	const chunkPairs = options.chunkPairs ?? 16;
	if (!Number.isInteger(chunkPairs) || chunkPairs < 1)
		throw new RangeError(`chunkPairs must be a whole number ≥ 1, got ${chunkPairs}`);
}

/** One text to capture and the row of the side its mean state goes to. */
interface RowItem {
	readonly item: TextToCapture;
	readonly side: "positive" | "negative";
	readonly row: number;
	/** How an error names the text: "pair 3 negative", "example 7". */
	readonly what: string;
}

/** Captures the items 2 × chunkPairs texts at a time, each text's mean state written to its row. */
async function collectRows(
	items: readonly RowItem[],
	counts: { readonly positive: number; readonly negative: number },
	source: HiddenStateSource,
	options: CollectOptions
): Promise<{ layer: number; nEmbd: number; positive: Float32Array; negative: Float32Array }[]> {
	const { layers, nEmbd } = options;
	const chunkTexts = 2 * (options.chunkPairs ?? 16);
	const positions: PositionSpec = { ...options.positions, mean: true };
	const records = layers.map((layer) => ({
		layer,
		nEmbd,
		positive: new Float32Array(counts.positive * nEmbd),
		negative: new Float32Array(counts.negative * nEmbd)
	}));

	for (let first = 0; first < items.length; first += chunkTexts) {
		options.signal?.throwIfAborted();
		const chunk = items.slice(first, first + chunkTexts);
		const captured = await source.capture(
			chunk.map(({ item }) => item),
			{
				layers,
				positions,
				signal: options.signal,
				onItem: (done) => options.onProgress?.(first + done, items.length)
			}
		);
		if (captured.length !== chunk.length)
			throw new RangeError(`the hidden-state source returned ${captured.length} texts for ${chunk.length}`);
		captured.forEach((itemLayers, slot) => {
			const { side, row, what } = chunk[slot]!;
			records.forEach((record, layerIndex) => {
				const rows = itemLayers[layerIndex];
				if (!rows || rows.layer !== record.layer) {
					throw new RangeError(
						`the hidden-state source returned layer ${rows?.layer} where layer ${record.layer} was asked for`
					);
				}
				writeMeanRow(rows.hidden, nEmbd, record[side], row * nEmbd, `${what}, layer ${record.layer}`);
			});
		});
	}
	return records;
}

/** Writes the mean of `rows` (rows × nEmbd) at `offset`; a single row is copied as is. */
function writeMeanRow(rows: Float32Array, nEmbd: number, into: Float32Array, offset: number, what: string): void {
	if (rows.length === 0 || rows.length % nEmbd !== 0) {
		throw new RangeError(
			`${what}: ${rows.length} values is not a whole number of rows of the model's width ${nEmbd}`
		);
	}
	const count = rows.length / nEmbd;
	if (count === 1) {
		into.set(rows, offset);
		return;
	}
	for (let k = 0; k < nEmbd; k++) {
		let sum = 0;
		for (let row = 0; row < count; row++) sum += rows[row * nEmbd + k];
		into[offset + k] = sum / count;
	}
}
