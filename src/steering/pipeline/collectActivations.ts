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
 */
import type { LayerActivations } from "../training/activations";
import type { PositionSpec } from "../positions";
import type { HiddenStateSource, TextToCapture } from "./hiddenStateSource";

/** The part of a contrast pair capture needs (datasets' ContrastPair fits it). */
export interface PairTexts {
	readonly positive: string;
	readonly negative: string;
	readonly prompt?: string;
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
	const { layers, nEmbd } = options;
	if (pairs.length === 0) throw new RangeError("no contrast pairs to capture");
	if (layers.length === 0) throw new RangeError("no layers to capture");
	const chunkPairs = options.chunkPairs ?? 16;
	if (!Number.isInteger(chunkPairs) || chunkPairs < 1)
		throw new RangeError(`chunkPairs must be a whole number ≥ 1, got ${chunkPairs}`);
	// Checked up front so that a dataset problem is reported before minutes of capturing.
	const items = pairs.map((pair, index) => captureItemsOf(pair, index, options.positions));
	const positions: PositionSpec = { ...options.positions, mean: true };
	const records = layers.map((layer) => ({
		layer,
		nEmbd,
		positive: new Float32Array(pairs.length * nEmbd),
		negative: new Float32Array(pairs.length * nEmbd)
	}));
	const totalTexts = pairs.length * 2;

	for (let first = 0; first < pairs.length; first += chunkPairs) {
		options.signal?.throwIfAborted();
		const chunk = items.slice(first, first + chunkPairs).flat();
		const captured = await source.capture(chunk, {
			layers,
			positions,
			signal: options.signal,
			onItem: (done) => options.onProgress?.(first * 2 + done, totalTexts)
		});
		if (captured.length !== chunk.length)
			throw new RangeError(`the hidden-state source returned ${captured.length} texts for ${chunk.length}`);
		captured.forEach((itemLayers, slot) => {
			const pair = first + Math.floor(slot / 2);
			const side = slot % 2 === 0 ? "positive" : "negative";
			records.forEach((record, layerIndex) => {
				const rows = itemLayers[layerIndex];
				if (!rows || rows.layer !== record.layer) {
					throw new RangeError(
						`the hidden-state source returned layer ${rows?.layer} where layer ${record.layer} was asked for`
					);
				}
				writeMeanRow(
					rows.hidden,
					nEmbd,
					record[side],
					pair * nEmbd,
					`pair ${pair + 1} ${side}, layer ${record.layer}`
				);
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
