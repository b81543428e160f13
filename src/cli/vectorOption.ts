import { loadControlVectorFile } from "../steering/gguf/controlVectorFile";
import type { SteeringEntry } from "../engine/protocol";

export interface VectorOption {
	readonly file: string;
	readonly scale: number;
}

/**
 * Reads `FILE.gguf[:S]` as llama.cpp's `--control-vector-scaled FILE:S`: S multiplies the file's
 * directions (default 1). Only a trailing `:number` is a scale, so paths containing ':' still work.
 */
export function parseVectorOption(text: string): VectorOption {
	const match = /^(.*):([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)$/.exec(text);
	if (match && match[1]) return { file: match[1], scale: Number(match[2]) };
	if (text.length === 0) throw new RangeError("--vector needs a file name");
	return { file: text, scale: 1 };
}

/** Loads every vector file into steering entries; several entries add up in the engine. */
export async function loadVectorOptions(texts: readonly string[]): Promise<{ entries: SteeringEntry[]; modelHints: (string | undefined)[] }> {
	const entries: SteeringEntry[] = [];
	const modelHints: (string | undefined)[] = [];
	for (const text of texts) {
		const { file, scale } = parseVectorOption(text);
		const loaded = await loadControlVectorFile(file);
		entries.push({ vector: loaded.vector, strength: scale });
		modelHints.push(loaded.modelHint);
	}
	return { entries, modelHints };
}
