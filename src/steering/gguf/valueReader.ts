/**
 * Reading one GGUF metadata value: scalars, strings and (possibly nested) arrays, each count checked
 * against the bytes left before anything is allocated.
 */
import { type ByteCursor, hostIsLittleEndian } from "./byteCursor";
import { GgufFormatError } from "./errors";
import { type GgufArrayValue, type GgufValue, type GgufValueTypeName, ggufTypeNameOfCode } from "./values";

/** Arrays of arrays are legal GGUF but never deep in practice; the limit keeps recursion bounded. */
const MAX_ARRAY_NESTING = 8;

const fixedItemBytes: Partial<Record<GgufValueTypeName, number>> = {
	u8: 1,
	i8: 1,
	bool: 1,
	u16: 2,
	i16: 2,
	u32: 4,
	i32: 4,
	f32: 4,
	u64: 8,
	i64: 8,
	f64: 8
};
/** Least bytes one array item can take: a string is at least its length, an array its type and count. */
function minItemBytes(type: GgufValueTypeName): number {
	return fixedItemBytes[type] ?? (type === "string" ? 8 : 12);
}

/** Reads a value-type code and the value after it; `what` names the value in error messages. */
export function readValue(cursor: ByteCursor, what: string, depth: number): GgufValue {
	const at = cursor.offset;
	const code = cursor.u32(`type of ${what}`);
	const type = ggufTypeNameOfCode(code);
	if (type === undefined) throw new GgufFormatError(`unknown metadata value type ${code} for ${what}`, at);
	return readValueOfType(cursor, type, what, depth);
}

function readValueOfType(cursor: ByteCursor, type: GgufValueTypeName, what: string, depth: number): GgufValue {
	switch (type) {
		case "u8":
			return { type, value: cursor.u8(what) };
		case "i8":
			return { type, value: cursor.i8(what) };
		case "u16":
			return { type, value: cursor.u16(what) };
		case "i16":
			return { type, value: cursor.i16(what) };
		case "u32":
			return { type, value: cursor.u32(what) };
		case "i32":
			return { type, value: cursor.i32(what) };
		case "f32":
			return { type, value: cursor.f32(what) };
		case "f64":
			return { type, value: cursor.f64(what) };
		case "u64":
			return { type, value: cursor.u64(what) };
		case "i64":
			return { type, value: cursor.i64(what) };
		case "bool":
			return { type, value: readBool(cursor, what) };
		case "string":
			return { type, value: cursor.string(what, false) };
		case "array":
			return readArray(cursor, what, depth);
	}
}

function readBool(cursor: ByteCursor, what: string): boolean {
	const at = cursor.offset;
	const byte = cursor.u8(what);
	if (byte > 1) throw new GgufFormatError(`${what} is a bool stored as ${byte}; only 0 and 1 are valid`, at);
	return byte === 1;
}

function readArray(cursor: ByteCursor, what: string, depth: number): GgufArrayValue {
	const at = cursor.offset;
	if (depth >= MAX_ARRAY_NESTING)
		throw new GgufFormatError(`${what} nests arrays more than ${MAX_ARRAY_NESTING} deep`, at);
	const code = cursor.u32(`item type of ${what}`);
	const itemType = ggufTypeNameOfCode(code);
	if (itemType === undefined) throw new GgufFormatError(`unknown array item type ${code} in ${what}`, at);
	const countAt = cursor.offset;
	const count = cursor.requirePlausibleCount(
		cursor.u64(`item count of ${what}`),
		minItemBytes(itemType),
		`item count of ${what}`,
		countAt
	);

	switch (itemType) {
		case "u8":
			return { type: "array", itemType, items: cursor.copy(count, what) };
		case "i8":
			return { type: "array", itemType, items: new Int8Array(cursor.copy(count, what).buffer) };
		case "u16":
			return {
				type: "array",
				itemType,
				items: readNumbers(
					cursor,
					count,
					2,
					what,
					(b) => new Uint16Array(b),
					(v, o) => v.getUint16(o, true)
				)
			};
		case "i16":
			return {
				type: "array",
				itemType,
				items: readNumbers(
					cursor,
					count,
					2,
					what,
					(b) => new Int16Array(b),
					(v, o) => v.getInt16(o, true)
				)
			};
		case "u32":
			return {
				type: "array",
				itemType,
				items: readNumbers(
					cursor,
					count,
					4,
					what,
					(b) => new Uint32Array(b),
					(v, o) => v.getUint32(o, true)
				)
			};
		case "i32":
			return {
				type: "array",
				itemType,
				items: readNumbers(
					cursor,
					count,
					4,
					what,
					(b) => new Int32Array(b),
					(v, o) => v.getInt32(o, true)
				)
			};
		case "f32":
			return {
				type: "array",
				itemType,
				items: readNumbers(
					cursor,
					count,
					4,
					what,
					(b) => new Float32Array(b),
					(v, o) => v.getFloat32(o, true)
				)
			};
		case "f64":
			return {
				type: "array",
				itemType,
				items: readNumbers(
					cursor,
					count,
					8,
					what,
					(b) => new Float64Array(b),
					(v, o) => v.getFloat64(o, true)
				)
			};
		case "u64":
			return {
				type: "array",
				itemType,
				items: readNumbers(
					cursor,
					count,
					8,
					what,
					(b) => new BigUint64Array(b),
					(v, o) => v.getBigUint64(o, true)
				)
			};
		case "i64":
			return {
				type: "array",
				itemType,
				items: readNumbers(
					cursor,
					count,
					8,
					what,
					(b) => new BigInt64Array(b),
					(v, o) => v.getBigInt64(o, true)
				)
			};
		case "bool": {
			const items: boolean[] = [];
			for (let i = 0; i < count; i++) items.push(readBool(cursor, `${what}[${i}]`));
			return { type: "array", itemType, items };
		}
		case "string": {
			// Grown item by item, never preallocated from the count: each item is checked as it is read.
			const items: string[] = [];
			for (let i = 0; i < count; i++) items.push(cursor.string(`${what}[${i}]`, false));
			return { type: "array", itemType, items };
		}
		case "array": {
			// Items of an array of arrays carry their own item type and count but no value-type code.
			const items: GgufArrayValue[] = [];
			for (let i = 0; i < count; i++) items.push(readArray(cursor, `${what}[${i}]`, depth + 1));
			return { type: "array", itemType, items };
		}
	}
}

interface NumberArray<T> {
	[index: number]: T;
}

/** Copies `count` fixed-size numbers; on little-endian hosts a straight copy, else element by element. */
function readNumbers<A extends NumberArray<T>, T>(
	cursor: ByteCursor,
	count: number,
	itemBytes: number,
	what: string,
	fromBuffer: (buffer: ArrayBuffer) => A,
	readOne: (view: DataView, offset: number) => T
): A {
	const raw = cursor.copy(count * itemBytes, what);
	if (hostIsLittleEndian) return fromBuffer(raw.buffer as ArrayBuffer);
	const view = new DataView(raw.buffer);
	const out = fromBuffer(new ArrayBuffer(raw.length));
	for (let i = 0; i < count; i++) out[i] = readOne(view, i * itemBytes);
	return out;
}
