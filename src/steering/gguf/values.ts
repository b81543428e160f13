import { GgufWriteError } from "./errors";

/**
 * Typed GGUF metadata values. The type travels with the value because GGUF distinguishes u32 from
 * i32 from f32, and llama.cpp rejects a key stored with the wrong one; a plain JS number cannot say
 * which it is.
 */

export type GgufNumberTypeName = "u8" | "i8" | "u16" | "i16" | "u32" | "i32" | "f32" | "f64";
export type GgufBigIntTypeName = "u64" | "i64";
export type GgufValueTypeName = GgufNumberTypeName | GgufBigIntTypeName | "bool" | "string" | "array";

/** Type codes as they appear in the file. */
export const ggufTypeCodes: Readonly<Record<GgufValueTypeName, number>> = {
	u8: 0,
	i8: 1,
	u16: 2,
	i16: 3,
	u32: 4,
	i32: 5,
	f32: 6,
	bool: 7,
	string: 8,
	array: 9,
	u64: 10,
	i64: 11,
	f64: 12
};

const typeNamesByCode: ReadonlyMap<number, GgufValueTypeName> = new Map(
	(Object.entries(ggufTypeCodes) as [GgufValueTypeName, number][]).map(([name, code]) => [code, name])
);

export function ggufTypeNameOfCode(code: number): GgufValueTypeName | undefined {
	return typeNamesByCode.get(code);
}

/** How the items of an array of each item type are held in memory: typed arrays for numbers. */
export interface GgufArrayItems {
	u8: Uint8Array;
	i8: Int8Array;
	u16: Uint16Array;
	i16: Int16Array;
	u32: Uint32Array;
	i32: Int32Array;
	f32: Float32Array;
	f64: Float64Array;
	u64: BigUint64Array;
	i64: BigInt64Array;
	bool: readonly boolean[];
	string: readonly string[];
	array: readonly GgufArrayValue[];
}

export type GgufArrayValue = {
	[K in GgufValueTypeName]: { readonly type: "array"; readonly itemType: K; readonly items: GgufArrayItems[K] };
}[GgufValueTypeName];

export type GgufValue =
	| { readonly type: GgufNumberTypeName; readonly value: number }
	| { readonly type: GgufBigIntTypeName; readonly value: bigint }
	| { readonly type: "bool"; readonly value: boolean }
	| { readonly type: "string"; readonly value: string }
	| GgufArrayValue;

const integerRanges: Readonly<Record<Exclude<GgufNumberTypeName, "f32" | "f64">, readonly [number, number]>> = {
	u8: [0, 0xff],
	i8: [-0x80, 0x7f],
	u16: [0, 0xffff],
	i16: [-0x8000, 0x7fff],
	u32: [0, 0xffffffff],
	i32: [-0x80000000, 0x7fffffff]
};

const bigIntRanges: Readonly<Record<GgufBigIntTypeName, readonly [bigint, bigint]>> = {
	u64: [0n, 0xffffffffffffffffn],
	i64: [-0x8000000000000000n, 0x7fffffffffffffffn]
};

/** Throws GgufWriteError unless `value` fits `type` exactly (no silent wrap-around or rounding). */
export function checkNumberFits(type: GgufNumberTypeName, value: number, where: string): void {
	if (typeof value !== "number")
		throw new GgufWriteError(`${where}: expected a number for ${type}, got ${typeof value}`);
	if (type === "f32" || type === "f64") return;
	const [min, max] = integerRanges[type];
	if (!Number.isInteger(value) || value < min || value > max) {
		throw new GgufWriteError(`${where}: ${value} is not a valid ${type} (integers ${min}..${max})`);
	}
}

export function checkBigIntFits(type: GgufBigIntTypeName, value: bigint, where: string): void {
	if (typeof value !== "bigint")
		throw new GgufWriteError(`${where}: expected a bigint for ${type}, got ${typeof value}`);
	const [min, max] = bigIntRanges[type];
	if (value < min || value > max) throw new GgufWriteError(`${where}: ${value} is not a valid ${type}`);
}

const typedArrayConstructors = {
	u8: Uint8Array,
	i8: Int8Array,
	u16: Uint16Array,
	i16: Int16Array,
	u32: Uint32Array,
	i32: Int32Array,
	f32: Float32Array,
	f64: Float64Array
} as const;

function numberValue(type: GgufNumberTypeName, value: number): GgufValue {
	checkNumberFits(type, value, `GgufValue.${type}`);
	return { type, value };
}

function toBigInt(type: GgufBigIntTypeName, value: bigint | number): bigint {
	if (typeof value === "number" && !Number.isSafeInteger(value)) {
		throw new GgufWriteError(`GgufValue.${type}: ${value} is not a safe integer; pass a bigint`);
	}
	const big = BigInt(value);
	checkBigIntFits(type, big, `GgufValue.${type}`);
	return big;
}

/** Builds a numeric array value from plain numbers, refusing any that would not fit the item type. */
function numberArray<K extends GgufNumberTypeName>(itemType: K, values: ArrayLike<number>): GgufArrayValue {
	for (let i = 0; i < values.length; i++) checkNumberFits(itemType, values[i]!, `GgufValue.array(${itemType})[${i}]`);
	const items = typedArrayConstructors[itemType].from(values as ArrayLike<number>);
	return { type: "array", itemType, items } as GgufArrayValue;
}

/**
 * Constructors for typed metadata values, e.g. `GgufValue.u32(3)` or `GgufValue.strings(["a"])`.
 * They refuse values the type cannot hold instead of wrapping them silently.
 */
export const GgufValue = {
	u8: (value: number): GgufValue => numberValue("u8", value),
	i8: (value: number): GgufValue => numberValue("i8", value),
	u16: (value: number): GgufValue => numberValue("u16", value),
	i16: (value: number): GgufValue => numberValue("i16", value),
	u32: (value: number): GgufValue => numberValue("u32", value),
	i32: (value: number): GgufValue => numberValue("i32", value),
	f32: (value: number): GgufValue => numberValue("f32", value),
	f64: (value: number): GgufValue => numberValue("f64", value),
	u64: (value: bigint | number): GgufValue => ({ type: "u64", value: toBigInt("u64", value) }),
	i64: (value: bigint | number): GgufValue => ({ type: "i64", value: toBigInt("i64", value) }),
	bool: (value: boolean): GgufValue => ({ type: "bool", value }),
	string: (value: string): GgufValue => ({ type: "string", value }),
	/** An array of numbers of one numeric item type. */
	numbers: numberArray,
	strings: (values: readonly string[]): GgufValue => ({ type: "array", itemType: "string", items: [...values] }),
	bools: (values: readonly boolean[]): GgufValue => ({ type: "array", itemType: "bool", items: [...values] }),
	/** An array whose items are themselves arrays (GGUF allows it; llama.cpp itself does not read such keys). */
	arrays: (values: readonly GgufArrayValue[]): GgufValue => ({
		type: "array",
		itemType: "array",
		items: [...values]
	}),
	/** An array built from items already in their in-memory form. */
	array: <K extends GgufValueTypeName>(itemType: K, items: GgufArrayItems[K]): GgufArrayValue =>
		({ type: "array", itemType, items }) as GgufArrayValue
};
