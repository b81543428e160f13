/**
 * ggml tensor element types as numbered in GGUF files, with the block layout needed to know how
 * many bytes a tensor occupies. Sizes are ggml's own (`ggml_type_size` / `ggml_blck_size`); the
 * numbers that ggml retired (4, 5, 31–33, 36–38) are deliberately absent so that a file using them
 * is reported instead of mis-sized.
 */
export const GgmlType = {
	F32: 0,
	F16: 1,
	Q4_0: 2,
	Q4_1: 3,
	Q5_0: 6,
	Q5_1: 7,
	Q8_0: 8,
	Q8_1: 9,
	Q2_K: 10,
	Q3_K: 11,
	Q4_K: 12,
	Q5_K: 13,
	Q6_K: 14,
	Q8_K: 15,
	IQ2_XXS: 16,
	IQ2_XS: 17,
	IQ3_XXS: 18,
	IQ1_S: 19,
	IQ4_NL: 20,
	IQ3_S: 21,
	IQ2_S: 22,
	IQ4_XS: 23,
	I8: 24,
	I16: 25,
	I32: 26,
	I64: 27,
	F64: 28,
	IQ1_M: 29,
	BF16: 30,
	TQ1_0: 34,
	TQ2_0: 35,
	MXFP4: 39,
	NVFP4: 40,
	Q1_0: 41,
	Q2_0: 42
} as const;

export type GgmlTypeName = keyof typeof GgmlType;

/** Bytes per block and elements per block for each known type. */
interface BlockLayout {
	readonly blockBytes: number;
	readonly blockElements: number;
}

const blockLayouts: ReadonlyMap<number, BlockLayout> = new Map<number, BlockLayout>([
	[GgmlType.F32, { blockBytes: 4, blockElements: 1 }],
	[GgmlType.F16, { blockBytes: 2, blockElements: 1 }],
	[GgmlType.Q4_0, { blockBytes: 18, blockElements: 32 }],
	[GgmlType.Q4_1, { blockBytes: 20, blockElements: 32 }],
	[GgmlType.Q5_0, { blockBytes: 22, blockElements: 32 }],
	[GgmlType.Q5_1, { blockBytes: 24, blockElements: 32 }],
	[GgmlType.Q8_0, { blockBytes: 34, blockElements: 32 }],
	[GgmlType.Q8_1, { blockBytes: 36, blockElements: 32 }],
	[GgmlType.Q2_K, { blockBytes: 84, blockElements: 256 }],
	[GgmlType.Q3_K, { blockBytes: 110, blockElements: 256 }],
	[GgmlType.Q4_K, { blockBytes: 144, blockElements: 256 }],
	[GgmlType.Q5_K, { blockBytes: 176, blockElements: 256 }],
	[GgmlType.Q6_K, { blockBytes: 210, blockElements: 256 }],
	[GgmlType.Q8_K, { blockBytes: 292, blockElements: 256 }],
	[GgmlType.IQ2_XXS, { blockBytes: 66, blockElements: 256 }],
	[GgmlType.IQ2_XS, { blockBytes: 74, blockElements: 256 }],
	[GgmlType.IQ3_XXS, { blockBytes: 98, blockElements: 256 }],
	[GgmlType.IQ1_S, { blockBytes: 50, blockElements: 256 }],
	[GgmlType.IQ4_NL, { blockBytes: 18, blockElements: 32 }],
	[GgmlType.IQ3_S, { blockBytes: 110, blockElements: 256 }],
	[GgmlType.IQ2_S, { blockBytes: 82, blockElements: 256 }],
	[GgmlType.IQ4_XS, { blockBytes: 136, blockElements: 256 }],
	[GgmlType.I8, { blockBytes: 1, blockElements: 1 }],
	[GgmlType.I16, { blockBytes: 2, blockElements: 1 }],
	[GgmlType.I32, { blockBytes: 4, blockElements: 1 }],
	[GgmlType.I64, { blockBytes: 8, blockElements: 1 }],
	[GgmlType.F64, { blockBytes: 8, blockElements: 1 }],
	[GgmlType.IQ1_M, { blockBytes: 56, blockElements: 256 }],
	[GgmlType.BF16, { blockBytes: 2, blockElements: 1 }],
	[GgmlType.TQ1_0, { blockBytes: 54, blockElements: 256 }],
	[GgmlType.TQ2_0, { blockBytes: 66, blockElements: 256 }],
	[GgmlType.MXFP4, { blockBytes: 17, blockElements: 32 }],
	[GgmlType.NVFP4, { blockBytes: 36, blockElements: 64 }],
	[GgmlType.Q1_0, { blockBytes: 18, blockElements: 128 }],
	[GgmlType.Q2_0, { blockBytes: 18, blockElements: 64 }]
]);

const namesByNumber: ReadonlyMap<number, GgmlTypeName> = new Map(
	(Object.entries(GgmlType) as [GgmlTypeName, number][]).map(([name, type]) => [type, name])
);

/** The ggml name of a type number ("F32", "Q4_K", …), or `type<N>` for one this code does not know. */
export function ggmlTypeName(type: number): string {
	return namesByNumber.get(type) ?? `type${type}`;
}

export function isKnownGgmlType(type: number): boolean {
	return blockLayouts.has(type);
}

/**
 * Bytes a tensor of `elementsInRow` × `rows` elements occupies, or undefined for an unknown type.
 * Returns NaN when the row length is not a whole number of blocks (ggml cannot store that).
 */
export function ggmlTensorByteSize(type: number, elementsInRow: number, rows: number): number | undefined {
	const layout = blockLayouts.get(type);
	if (layout === undefined) return undefined;
	if (elementsInRow % layout.blockElements !== 0) return Number.NaN;
	return (elementsInRow / layout.blockElements) * layout.blockBytes * rows;
}

/** Elements per block of a known type (1 for plain number types). */
export function ggmlBlockElements(type: number): number | undefined {
	return blockLayouts.get(type)?.blockElements;
}
