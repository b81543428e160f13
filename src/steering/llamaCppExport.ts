/**
 * Steering as llama.cpp runs it: the active vectors summed into one control-vector file (each at its
 * strength, within its layer range — what Steer's engine adds), and the `llama-server` / `llama-cli`
 * command lines that load it at scale 1. llama.cpp adds a control vector at every position, with one
 * layer range for all vectors, so per-vector ranges are baked into the file and placements other
 * than every position cannot be carried over.
 */
import { composeWeighted } from "./composition";
import { describePlacement, type SteeringPlacement } from "./placement";
import type { SteeringVector, WeightedVector } from "./vector";

export interface ExportedSteering {
	/** The summed vector to write as the control-vector file. */
	readonly vector: SteeringVector;
	/** Why llama.cpp will steer differently from Steer, one line each (empty when it steers the same). */
	readonly differences: readonly string[];
}

export interface NamedSteering extends WeightedVector {
	readonly name: string;
	readonly placement?: SteeringPlacement;
}

export function exportForLlamaCpp(vectors: readonly NamedSteering[]): ExportedSteering {
	if (vectors.length === 0) throw new RangeError("no active vectors to export");
	const directions = composeWeighted(vectors);
	if (![...directions.values()].some((values) => values.some((value) => value !== 0)))
		throw new RangeError("the active vectors add nothing at their strengths and layer ranges (all strengths 0?)");
	const differences = vectors
		.filter((entry) => entry.placement !== undefined && entry.placement.kind !== "all")
		.map(
			(entry) =>
				`${entry.name} acts on ${describePlacement(entry.placement!)} in Steer, but llama.cpp steers every position`
		);
	return { vector: { nEmbd: vectors[0]!.vector.nEmbd, directions }, differences };
}

/**
 * The command lines that load `vectorFile` into llama.cpp's server and CLI, POSIX-shell quoted.
 * llama.cpp splits `--control-vector` values at commas, so such a path is refused.
 */
export function llamaCppCommandLines(modelPath: string, vectorFile: string): { server: string; cli: string } {
	if (vectorFile.includes(","))
		throw new RangeError(
			`llama.cpp reads commas in --control-vector as separators; choose a path without one (${vectorFile})`
		);
	const common = `-m ${shellQuote(modelPath)} --control-vector ${shellQuote(vectorFile)}`;
	return { server: `llama-server ${common}`, cli: `llama-cli ${common}` };
}

/** Single-quotes `text` for a POSIX shell unless it is made only of characters that need none. */
export function shellQuote(text: string): string {
	if (/^[\w@%+=:,./-]+$/.test(text)) return text;
	return `'${text.replaceAll("'", `'"'"'`)}'`;
}
