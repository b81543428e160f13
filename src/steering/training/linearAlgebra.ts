/**
 * Small dense linear-algebra kernels on Float32Array storage with double-precision accumulation.
 *
 * Hidden states arrive as float32; summing thousands of float32 products in float32 loses several
 * digits, so every reduction accumulates in a JS number (float64). The inner loops are unrolled by four
 * because V8 keeps four independent accumulators in registers, which roughly doubles throughput on the
 * 4096-wide rows that dominate training time.
 *
 * The hot paths have one kernel per pair of array types (`dotF32F64`, `axpyF32F64`, …): a function
 * that sees both Float32Array and Float64Array arguments becomes polymorphic in V8 and runs about
 * half as fast, which alone cost the 1-second training budget.
 */

/** Any dense numeric vector the kernels accept. */
export type NumericVector = Float32Array | Float64Array;

/** A row-major matrix view: row i occupies data[i*cols, (i+1)*cols). */
export interface RowMatrix {
	readonly rows: number;
	readonly cols: number;
	readonly data: Float32Array;
}

export function assertSameLength(a: NumericVector, b: NumericVector, what: string): void {
	if (a.length !== b.length) {
		throw new RangeError(`${what}: length mismatch (${a.length} vs ${b.length})`);
	}
}

/** a·b, accumulated in float64. */
export function dot(a: NumericVector, b: NumericVector): number {
	assertSameLength(a, b, "dot");
	return dotAt(a, 0, b, 0, a.length);
}

/** Dot product of a[aOffset .. aOffset+n) with b[bOffset .. bOffset+n); no bounds checks (hot path). */
export function dotAt(a: NumericVector, aOffset: number, b: NumericVector, bOffset: number, n: number): number {
	let s0 = 0;
	let s1 = 0;
	let s2 = 0;
	let s3 = 0;
	let k = 0;
	const end4 = n - (n % 4);
	for (; k < end4; k += 4) {
		s0 += a[aOffset + k] * b[bOffset + k];
		s1 += a[aOffset + k + 1] * b[bOffset + k + 1];
		s2 += a[aOffset + k + 2] * b[bOffset + k + 2];
		s3 += a[aOffset + k + 3] * b[bOffset + k + 3];
	}
	for (; k < n; k++) {
		s0 += a[aOffset + k] * b[bOffset + k];
	}
	return s0 + s1 + s2 + s3;
}

/** Dot product of a float32 slice with a float64 slice (rows of hidden states against a direction). */
export function dotF32F64(a: Float32Array, aOffset: number, b: Float64Array, bOffset: number, n: number): number {
	let s0 = 0;
	let s1 = 0;
	let s2 = 0;
	let s3 = 0;
	let k = 0;
	const end4 = n - (n % 4);
	for (; k < end4; k += 4) {
		s0 += a[aOffset + k] * b[bOffset + k];
		s1 += a[aOffset + k + 1] * b[bOffset + k + 1];
		s2 += a[aOffset + k + 2] * b[bOffset + k + 2];
		s3 += a[aOffset + k + 3] * b[bOffset + k + 3];
	}
	for (; k < n; k++) s0 += a[aOffset + k] * b[bOffset + k];
	return s0 + s1 + s2 + s3;
}

/** Dot product of two float64 slices (Krylov basis vectors). */
export function dotF64(a: Float64Array, aOffset: number, b: Float64Array, bOffset: number, n: number): number {
	let s0 = 0;
	let s1 = 0;
	let s2 = 0;
	let s3 = 0;
	let k = 0;
	const end4 = n - (n % 4);
	for (; k < end4; k += 4) {
		s0 += a[aOffset + k] * b[bOffset + k];
		s1 += a[aOffset + k + 1] * b[bOffset + k + 1];
		s2 += a[aOffset + k + 2] * b[bOffset + k + 2];
		s3 += a[aOffset + k + 3] * b[bOffset + k + 3];
	}
	for (; k < n; k++) s0 += a[aOffset + k] * b[bOffset + k];
	return s0 + s1 + s2 + s3;
}

/** Dot product of two float32 slices (squared norms of hidden-state rows). */
export function dotF32(a: Float32Array, aOffset: number, b: Float32Array, bOffset: number, n: number): number {
	let s0 = 0;
	let s1 = 0;
	let s2 = 0;
	let s3 = 0;
	let k = 0;
	const end4 = n - (n % 4);
	for (; k < end4; k += 4) {
		s0 += a[aOffset + k] * b[bOffset + k];
		s1 += a[aOffset + k + 1] * b[bOffset + k + 1];
		s2 += a[aOffset + k + 2] * b[bOffset + k + 2];
		s3 += a[aOffset + k + 3] * b[bOffset + k + 3];
	}
	for (; k < n; k++) s0 += a[aOffset + k] * b[bOffset + k];
	return s0 + s1 + s2 + s3;
}

/**
 * |a − b|² of two float32 slices, summed in float64. Computed from the differences rather than as
 * |a|² + |b|² − 2a·b, which cancels catastrophically when the rows are nearly equal.
 */
export function squaredDistanceF32(
	a: Float32Array,
	aOffset: number,
	b: Float32Array,
	bOffset: number,
	n: number
): number {
	let sum = 0;
	for (let k = 0; k < n; k++) {
		const difference = a[aOffset + k] - b[bOffset + k];
		sum += difference * difference;
	}
	return sum;
}

/** y[yOffset..] += alpha·x[xOffset..] for a float32 source and float64 target. */
export function axpyF32F64(
	alpha: number,
	x: Float32Array,
	xOffset: number,
	y: Float64Array,
	yOffset: number,
	n: number
): void {
	let k = 0;
	const end4 = n - (n % 4);
	for (; k < end4; k += 4) {
		y[yOffset + k] += alpha * x[xOffset + k];
		y[yOffset + k + 1] += alpha * x[xOffset + k + 1];
		y[yOffset + k + 2] += alpha * x[xOffset + k + 2];
		y[yOffset + k + 3] += alpha * x[xOffset + k + 3];
	}
	for (; k < n; k++) y[yOffset + k] += alpha * x[xOffset + k];
}

/** y[yOffset..] += alpha·x[xOffset..] for float64 vectors. */
export function axpyF64(
	alpha: number,
	x: Float64Array,
	xOffset: number,
	y: Float64Array,
	yOffset: number,
	n: number
): void {
	let k = 0;
	const end4 = n - (n % 4);
	for (; k < end4; k += 4) {
		y[yOffset + k] += alpha * x[xOffset + k];
		y[yOffset + k + 1] += alpha * x[xOffset + k + 1];
		y[yOffset + k + 2] += alpha * x[xOffset + k + 2];
		y[yOffset + k + 3] += alpha * x[xOffset + k + 3];
	}
	for (; k < n; k++) y[yOffset + k] += alpha * x[xOffset + k];
}

/** Euclidean norm. */
export function norm(a: NumericVector): number {
	return Math.sqrt(dotAt(a, 0, a, 0, a.length));
}

/** y ← y + alpha·x. */
export function axpy(alpha: number, x: NumericVector, y: NumericVector): void {
	assertSameLength(x, y, "axpy");
	axpyAt(alpha, x, 0, y, 0, x.length);
}

/** y[yOffset..] ← y[yOffset..] + alpha·x[xOffset..] over n elements; no bounds checks (hot path). */
export function axpyAt(
	alpha: number,
	x: NumericVector,
	xOffset: number,
	y: NumericVector,
	yOffset: number,
	n: number
): void {
	let k = 0;
	const end4 = n - (n % 4);
	for (; k < end4; k += 4) {
		y[yOffset + k] += alpha * x[xOffset + k];
		y[yOffset + k + 1] += alpha * x[xOffset + k + 1];
		y[yOffset + k + 2] += alpha * x[xOffset + k + 2];
		y[yOffset + k + 3] += alpha * x[xOffset + k + 3];
	}
	for (; k < n; k++) {
		y[yOffset + k] += alpha * x[xOffset + k];
	}
}

/** Returns a new vector alpha·x in float64. */
export function scaled(x: NumericVector, alpha: number): Float64Array {
	const out = new Float64Array(x.length);
	for (let k = 0; k < x.length; k++) out[k] = alpha * x[k];
	return out;
}

/** Scales x in place so that its norm is 1; returns the norm it had. Throws on a zero vector. */
export function normalizeInPlace(x: NumericVector, what = "vector"): number {
	const length = norm(x);
	if (!(length > 0) || !Number.isFinite(length)) {
		throw new RangeError(`${what} has norm ${length} and cannot be normalised`);
	}
	const inverse = 1 / length;
	for (let k = 0; k < x.length; k++) x[k] *= inverse;
	return length;
}

/** Cosine of the angle between a and b; 0 when either is the zero vector. */
export function cosine(a: NumericVector, b: NumericVector): number {
	const denominator = norm(a) * norm(b);
	return denominator > 0 ? dot(a, b) / denominator : 0;
}

/** Mean of the rows, in float64. */
export function meanRows(matrix: RowMatrix): Float64Array {
	const mean = new Float64Array(matrix.cols);
	if (matrix.rows === 0) return mean;
	for (let i = 0; i < matrix.rows; i++) axpyF32F64(1, matrix.data, i * matrix.cols, mean, 0, matrix.cols);
	const inverse = 1 / matrix.rows;
	for (let k = 0; k < matrix.cols; k++) mean[k] *= inverse;
	return mean;
}

/** out[i] = row_i · v for every row. */
export function multiplyRows(matrix: RowMatrix, v: Float64Array, out = new Float64Array(matrix.rows)): Float64Array {
	if (v.length !== matrix.cols) {
		throw new RangeError(
			`matrix-vector product: matrix is ${matrix.rows}×${matrix.cols} but vector has length ${v.length}`
		);
	}
	for (let i = 0; i < matrix.rows; i++) out[i] = dotF32F64(matrix.data, i * matrix.cols, v, 0, matrix.cols);
	return out;
}

/** Squared norm of every row. */
export function rowSquaredNorms(matrix: RowMatrix): Float64Array {
	const out = new Float64Array(matrix.rows);
	for (let i = 0; i < matrix.rows; i++) {
		const offset = i * matrix.cols;
		out[i] = dotF32(matrix.data, offset, matrix.data, offset, matrix.cols);
	}
	return out;
}

/**
 * The rows×rows Gram matrix X·Xᵀ (symmetric, row-major, float64). Costs rows²·cols/2 multiply-adds,
 * so it is only worth it for small matrices; training uses Krylov iterations instead (see top-component).
 */
export function gramMatrix(matrix: RowMatrix): Float64Array {
	const n = matrix.rows;
	const gram = new Float64Array(n * n);
	for (let i = 0; i < n; i++) {
		for (let j = i; j < n; j++) {
			const value = dotF32(matrix.data, i * matrix.cols, matrix.data, j * matrix.cols, matrix.cols);
			gram[i * n + j] = value;
			gram[j * n + i] = value;
		}
	}
	return gram;
}
