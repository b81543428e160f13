import { existsSync } from "node:fs";
import { loadControlVectorFile } from "../steering/gguf/controlVectorFile";
import type { ControlVectorFile, ReadControlVectorOptions } from "../steering/gguf/controlVector";
import type { GgufMetadata } from "../steering/gguf/metadataAccess";
import type { SteeringEntry } from "../engine/protocol";
import { placementInMetadata } from "../steering/pipeline/trainedVectorFile";
import { parsePlacement, type SteeringPlacement } from "../steering/placement";
import type { SteeringVector } from "../steering/vector";
import { UsageError } from "./args";

export interface VectorOption {
	readonly file: string;
	readonly scale: number;
}

/**
 * The largest scale (and strength) the CLI accepts, either sign. A trained file's scale 1 is already
 * its full calibrated push, about one typical hidden-state norm per layer; text breaks down at a few
 * times that, and at 1e30 the hidden states overflow and the model writes nothing. 100 leaves room
 * for uncalibrated vectors from other tools while refusing scales that can only be typos.
 */
export const MAX_VECTOR_SCALE = 100;

const numberPattern = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

/**
 * Reads `FILE.gguf[:S]` as llama.cpp's `--control-vector-scaled FILE:S`: S multiplies the file's
 * directions (default 1). Paths may contain ':' themselves, so the text after the last ':' is a scale
 * only when no file has the whole text as its name, and never when it holds a path separator
 * (`C:\vectors\v.gguf`, `dir:with:colons/v.gguf`).
 */
export function parseVectorOption(text: string, exists: (file: string) => boolean = existsSync): VectorOption {
	if (text.length === 0) throw new UsageError("--vector needs a file name");
	if (exists(text)) return { file: text, scale: 1 };
	const colon = text.lastIndexOf(":");
	const file = text.slice(0, colon);
	const suffix = text.slice(colon + 1);
	if (colon <= 0 || /[\\/]/.test(suffix)) return { file: text, scale: 1 };
	if (!numberPattern.test(suffix)) {
		// "my:notes.gguf" names a file; "happy.gguf:abc" is a file with a mistyped scale.
		if (!exists(file) && !/\.gguf$/i.test(file)) return { file: text, scale: 1 };
		if (suffix.length === 0)
			throw new UsageError(
				`--vector ${text} has nothing after the ':'; write FILE.gguf:S with a number S, or leave the ':' out`
			);
		throw new UsageError(`scale "${suffix}" in --vector ${text} is not a number`);
	}
	return { file, scale: checkScale(Number(suffix), `scale ${suffix} in --vector ${text}`) };
}

/** `scale` when it is finite and at most MAX_VECTOR_SCALE either way; otherwise a UsageError naming `what`. */
export function checkScale(scale: number, what: string, noun = "scales"): number {
	if (!Number.isFinite(scale)) throw new UsageError(`${what} is not a finite number`);
	if (Math.abs(scale) > MAX_VECTOR_SCALE) {
		throw new UsageError(
			`${what} is out of range: ${noun} go from -${MAX_VECTOR_SCALE} to ${MAX_VECTOR_SCALE} (1 is a trained vector's full push; far beyond it the model writes garbage or nothing)`
		);
	}
	return scale;
}

/** Reads a control-vector file, saying "not found" in words when it is missing. */
export async function readVectorFile(file: string, options: ReadControlVectorOptions = {}): Promise<ControlVectorFile> {
	try {
		return await loadControlVectorFile(file, options);
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		if (code === "ENOENT") throw new Error(`vector file not found: ${file}`, { cause: error });
		if (code === "EISDIR") throw new Error(`--vector ${file} is a folder, not a vector file`, { cause: error });
		throw error;
	}
}

/** A vector file given as FILE.gguf[:S], its directions multiplied by S. */
export async function loadVectorFile(
	text: string
): Promise<{ vector: SteeringVector; scale: number; modelHint?: string }> {
	const { file, scale } = parseVectorOption(text);
	const loaded = await readVectorFile(file, { scale });
	return { vector: loaded.vector, scale, modelHint: loaded.modelHint };
}

/** Reads `--placement`; a UsageError naming the valid forms otherwise. */
export function parsePlacementOption(text: string | undefined): SteeringPlacement | undefined {
	if (text === undefined) return undefined;
	try {
		return parsePlacement(text);
	} catch (error) {
		throw new UsageError(`--placement: ${(error as Error).message}`);
	}
}

/**
 * Loads every vector file into steering entries; several entries add up in the engine. Each acts
 * where `placement` says, or else where its file says (`steer.placement`), or else at every position.
 */
export async function loadVectorOptions(
	texts: readonly string[],
	placement?: SteeringPlacement
): Promise<{ entries: SteeringEntry[]; modelHints: (string | undefined)[]; metadata: GgufMetadata[] }> {
	const entries: SteeringEntry[] = [];
	const modelHints: (string | undefined)[] = [];
	// Each file's metadata as read, for a command that needs more of it (steer rate: how it was calibrated).
	const metadata: GgufMetadata[] = [];
	for (const text of texts) {
		const { file, scale } = parseVectorOption(text);
		const loaded = await readVectorFile(file);
		const placed = placement ?? filePlacement(loaded, file);
		entries.push({
			vector: loaded.vector,
			strength: scale,
			...(placed.kind === "all" ? {} : { placement: placed })
		});
		modelHints.push(loaded.modelHint);
		metadata.push(loaded.metadata);
	}
	return { entries, modelHints, metadata };
}

function filePlacement(loaded: ControlVectorFile, file: string): SteeringPlacement {
	try {
		return placementInMetadata(loaded.metadata) ?? { kind: "all" };
	} catch (error) {
		throw new Error(`${file}: ${(error as Error).message}; pass --placement to choose one`, { cause: error });
	}
}
