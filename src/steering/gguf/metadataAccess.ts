import { GgufFormatError } from "./errors";
import type { GgufValue } from "./values";

/**
 * Typed look-ups of metadata keys. Files in the wild disagree on integer widths (one writer stores a
 * count as u32, another as i32), so the integer getters accept every integer type; anything else
 * under the key is reported rather than coerced.
 */

export type GgufMetadata = ReadonlyMap<string, GgufValue>;

const integerTypes = new Set(["u8", "i8", "u16", "i16", "u32", "i32", "u64", "i64"]);

export function metadataString(metadata: GgufMetadata, key: string): string | undefined {
	const value = metadata.get(key);
	if (value === undefined) return undefined;
	if (value.type !== "string")
		throw new GgufFormatError(`metadata "${key}" should be a string but is ${describeType(value)}`);
	return value.value;
}

/** An integer of any width, as a number; fails if it is not exactly representable. */
export function metadataInteger(metadata: GgufMetadata, key: string): number | undefined {
	const value = metadata.get(key);
	if (value === undefined) return undefined;
	if (!integerTypes.has(value.type))
		throw new GgufFormatError(`metadata "${key}" should be an integer but is ${describeType(value)}`);
	const raw = (value as { value: number | bigint }).value;
	if (typeof raw === "bigint") {
		if (raw > BigInt(Number.MAX_SAFE_INTEGER) || raw < BigInt(Number.MIN_SAFE_INTEGER)) {
			throw new GgufFormatError(`metadata "${key}" = ${raw} is too large to use`);
		}
		return Number(raw);
	}
	return raw;
}

/** Any integer or float, as a number. */
export function metadataNumber(metadata: GgufMetadata, key: string): number | undefined {
	const value = metadata.get(key);
	if (value !== undefined && (value.type === "f32" || value.type === "f64")) return value.value;
	if (value !== undefined && !integerTypes.has(value.type)) {
		throw new GgufFormatError(`metadata "${key}" should be a number but is ${describeType(value)}`);
	}
	return metadataInteger(metadata, key);
}

export function requireMetadataString(metadata: GgufMetadata, key: string): string {
	const value = metadataString(metadata, key);
	if (value === undefined) throw new GgufFormatError(`metadata "${key}" is missing`);
	return value;
}

export function requireMetadataInteger(metadata: GgufMetadata, key: string): number {
	const value = metadataInteger(metadata, key);
	if (value === undefined) throw new GgufFormatError(`metadata "${key}" is missing`);
	return value;
}

function describeType(value: GgufValue): string {
	return value.type === "array" ? `an array of ${value.itemType}` : `a ${value.type}`;
}
