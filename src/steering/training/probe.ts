/**
 * A logistic-regression probe: the direction along which one layer's hidden states tell the positives
 * (label 1) from the negatives (label 0), as concept-guidance's LogisticProbe and the steering-vectors
 * library's logistic aggregator find it.
 *
 * The fit minimises Σᵢ log(1 + exp(−sᵢ·(w·x̃ᵢ + b))) + (λ/2)·‖w‖² (sᵢ = ±1 for label 1/0), scikit-learn's
 * objective with C = 1/λ, on rows x̃ᵢ = (xᵢ − m)/s: centred on the mean row m and divided by one global
 * scale s that gives the features unit variance on average. One scale for all features, not one per
 * feature, keeps the geometry (a rotation of the data rotates the direction, as for mean-diff and the
 * PCA methods) and makes λ mean the same on a layer of norm 5 and one of norm 500. The intercept b is not
 * penalised: hidden states share a large common offset, which a probe without intercept (the libraries
 * fit none) must absorb into its direction.
 *
 * The solver is exact Newton with a backtracking line search, deterministic (no random start, no
 * sampling). With fewer rows than features (the usual case: tens to hundreds of texts, widths in the
 * thousands) the weight vector lies in the span of the centred rows, so the problem is solved in that
 * span: the Gram matrix of the rows, factored by a pivoted Cholesky decomposition, gives every row
 * coordinates in an orthonormal basis of the span (rank r ≤ n − 1), and Newton works in r dimensions.
 * With more rows than features it works on the features directly. Either way the direction is read
 * back from the optimality condition w = (1/λ)·Σᵢ (yᵢ − pᵢ)·x̃ᵢ (pᵢ the fitted probabilities), on the
 * rows themselves.
 */
import { axpyF64, dotF32, dotF64, gramMatrix, type RowMatrix } from "./linearAlgebra";

export interface ProbeOptions {
	/** λ: weight of ½‖w‖² against the summed log-loss, on the scaled rows. Default 1 (scikit-learn's C = 1). */
	readonly l2Penalty?: number;
	/** Newton steps at most. Default 100. */
	readonly maxIterations?: number;
	/** Rows of `positive` to fit on; default all. */
	readonly positiveRows?: readonly number[];
	/** Rows of `negative` to fit on; default all. */
	readonly negativeRows?: readonly number[];
}

export interface ProbeFit {
	/** Unit weight direction in the hidden-state space; positives score higher along it. */
	readonly direction: Float64Array;
	/** Newton steps taken. */
	readonly iterations: number;
	/** Whether the Newton decrement fell below its tolerance within maxIterations. */
	readonly converged: boolean;
	/** Dimension Newton worked in: the rank of the centred rows, at most min(rows − 1, width). */
	readonly rank: number;
}

export const DEFAULT_PROBE_L2_PENALTY = 1;

/**
 * Fits the probe to the given rows of `positive` (label 1) and `negative` (label 0), both of the same
 * width. Throws when a class has no rows or every row is the same (no direction can separate them).
 */
export function fitLogisticProbe(positive: RowMatrix, negative: RowMatrix, options: ProbeOptions = {}): ProbeFit {
	const width = positive.cols;
	if (negative.cols !== width)
		throw new RangeError(`probe: positives have width ${width} but negatives have width ${negative.cols}`);
	const positiveRows = options.positiveRows ?? range(positive.rows);
	const negativeRows = options.negativeRows ?? range(negative.rows);
	if (positiveRows.length === 0 || negativeRows.length === 0) {
		throw new RangeError(
			`the probe needs examples of both classes; got ${positiveRows.length} positive and ${negativeRows.length} negative rows`
		);
	}
	const lambda = options.l2Penalty ?? DEFAULT_PROBE_L2_PENALTY;
	if (!(lambda > 0) || !Number.isFinite(lambda))
		throw new RangeError(`probe: l2Penalty must be a positive number, got ${lambda}`);
	const maxIterations = options.maxIterations ?? 100;

	// Centred rows, positives first, in float32 like the hidden states (the centring error is far
	// below the states' own rounding); the mean is accumulated in float64.
	const n = positiveRows.length + negativeRows.length;
	const labels = new Float64Array(n);
	labels.fill(1, 0, positiveRows.length);
	const mean = new Float64Array(width);
	const sources: [Float32Array, number][] = [
		...positiveRows.map(
			(row) => [positive.data, checkedRow(row, positive.rows, "positive") * width] as [Float32Array, number]
		),
		...negativeRows.map(
			(row) => [negative.data, checkedRow(row, negative.rows, "negative") * width] as [Float32Array, number]
		)
	];
	for (const [data, offset] of sources) for (let k = 0; k < width; k++) mean[k] += data[offset + k];
	for (let k = 0; k < width; k++) mean[k] /= n;
	const centred = new Float32Array(n * width);
	sources.forEach(([data, offset], i) => {
		for (let k = 0; k < width; k++) centred[i * width + k] = data[offset + k] - mean[k];
	});
	const rows: RowMatrix = { rows: n, cols: width, data: centred };

	let trace = 0;
	for (let i = 0; i < n; i++) trace += dotF32(centred, i * width, centred, i * width, width);
	if (!(trace > 0)) {
		throw new RangeError(`all ${n} rows are identical, so no direction separates the positives from the negatives`);
	}
	// Scaled so that the features have unit variance on average: Σ‖x̃ᵢ‖² = n·width.
	const scale2 = trace / (n * width);
	const coordinates = n <= width ? spanCoordinates(rows, scale2) : featureCoordinates(rows, scale2);
	const newton = solveLogistic(coordinates, labels, lambda, maxIterations);

	// w = (1/λ)·Σ (yᵢ − pᵢ)·x̃ᵢ; only its direction is kept, so neither 1/λ nor 1/s matters.
	const direction = new Float64Array(width);
	for (let i = 0; i < n; i++) {
		const weight = labels[i] - newton.probabilities[i];
		if (weight === 0) continue;
		const offset = i * width;
		for (let k = 0; k < width; k++) direction[k] += weight * centred[offset + k];
	}
	const length = Math.sqrt(dotF64(direction, 0, direction, 0, width));
	if (!(length > 0) || !Number.isFinite(length)) {
		throw new RangeError(
			"the probe found no direction: every positive row is matched by an identical negative one, so the classes cannot be told apart"
		);
	}
	for (let k = 0; k < width; k++) direction[k] /= length;
	return { direction, iterations: newton.iterations, converged: newton.converged, rank: coordinates.cols };
}

/**
 * Row coordinates Z (n × r) with Z·Zᵀ = X̃·X̃ᵀ / s², stored column by column (column a is
 * data[a·n, (a+1)·n)), because Newton's sums run down the columns. Column a is zero above row
 * starts[a], and `order` maps each coordinate row to the row it stands for.
 */
interface Coordinates {
	readonly rows: number;
	readonly cols: number;
	readonly columns: Float64Array;
	readonly starts: Int32Array;
	readonly order: Int32Array;
}

/**
 * Coordinates of the rows in an orthonormal basis of their span, from a pivoted Cholesky factor of
 * their Gram matrix: K = Z·Zᵀ. With the rows in pivot order the factor is lower trapezoidal (the k-th
 * pivot row has k + 1 coordinates), which Newton's sums skip. Pivots stop where the remaining
 * variance is below 1e-10 of the largest row's squared norm, which drops only directions that float32
 * states cannot resolve anyway.
 */
function spanCoordinates(rows: RowMatrix, scale2: number): Coordinates {
	const n = rows.rows;
	const gram = gramMatrix(rows);
	for (let i = 0; i < gram.length; i++) gram[i] /= scale2;
	const residual = new Float64Array(n);
	let largest = 0;
	for (let i = 0; i < n; i++) {
		residual[i] = gram[i * n + i];
		largest = Math.max(largest, residual[i]);
	}
	const tolerance = 1e-10 * largest;
	// factor[i·n + t]: coordinate t of row i (original order) while it is being built.
	const factor = new Float64Array(n * n);
	const used = new Uint8Array(n);
	const order: number[] = [];
	for (let rank = 0; rank < n; rank++) {
		let pivot = -1;
		for (let i = 0; i < n; i++) if (!used[i] && (pivot < 0 || residual[i] > residual[pivot])) pivot = i;
		if (pivot < 0 || !(residual[pivot] > tolerance)) break;
		used[pivot] = 1;
		order.push(pivot);
		const diagonal = Math.sqrt(residual[pivot]);
		factor[pivot * n + rank] = diagonal;
		for (let i = 0; i < n; i++) {
			if (used[i]) continue;
			const value = (gram[i * n + pivot] - dotF64(factor, i * n, factor, pivot * n, rank)) / diagonal;
			factor[i * n + rank] = value;
			residual[i] -= value * value;
		}
	}
	const rank = order.length;
	for (let i = 0; i < n; i++) if (!used[i]) order.push(i);
	const columns = new Float64Array(rank * n);
	order.forEach((row, position) => {
		for (let t = 0; t < rank; t++) columns[t * n + position] = factor[row * n + t];
	});
	return {
		rows: n,
		cols: rank,
		columns,
		starts: Int32Array.from({ length: rank }, (_, t) => t),
		order: Int32Array.from(order)
	};
}

/** The scaled rows themselves, when there are more rows than features. */
function featureCoordinates(rows: RowMatrix, scale2: number): Coordinates {
	const { rows: n, cols } = rows;
	const inverse = 1 / Math.sqrt(scale2);
	const columns = new Float64Array(n * cols);
	for (let i = 0; i < n; i++) for (let k = 0; k < cols; k++) columns[k * n + i] = rows.data[i * cols + k] * inverse;
	return {
		rows: n,
		cols,
		columns,
		starts: new Int32Array(cols),
		order: Int32Array.from({ length: n }, (_, i) => i)
	};
}

interface NewtonResult {
	/** Fitted probability of label 1 per row, in the rows' own order. */
	readonly probabilities: Float64Array;
	readonly iterations: number;
	readonly converged: boolean;
}

/**
 * Newton's method on (β, b) for Σ log(1 + e^(−sᵢ fᵢ)) + (λ/2)‖β‖², fᵢ = zᵢ·β + b, from β = 0 and the
 * intercept that fits the class shares. The objective is strictly convex (λ > 0, both classes
 * present), so the Hessian is positive definite and Newton with backtracking converges quadratically;
 * it stops when half the squared Newton decrement, the predicted decrease, is below 1e-13 per row.
 */
function solveLogistic(z: Coordinates, rowLabels: Float64Array, lambda: number, maxIterations: number): NewtonResult {
	const { rows: n, cols: r, columns, starts } = z;
	const size = r + 1;
	const labels = Float64Array.from(z.order, (row) => rowLabels[row]);
	const parameters = new Float64Array(size); // β, then b
	let positives = 0;
	for (let i = 0; i < n; i++) positives += labels[i];
	parameters[r] = Math.log(positives / (n - positives));
	const scores = new Float64Array(n);
	const weights = new Float64Array(n);
	const residuals = new Float64Array(n);
	const weighted = new Float64Array(n);
	const gradient = new Float64Array(size);
	const hessian = new Float64Array(size * size);
	const step = new Float64Array(size);
	const candidate = new Float64Array(size);
	const candidateScores = new Float64Array(n);
	const tolerance = 1e-13 * n;

	const scoresOf = (at: Float64Array, into: Float64Array): void => {
		into.fill(at[r]);
		for (let a = 0; a < r; a++) axpyF64(at[a], columns, a * n + starts[a], into, starts[a], n - starts[a]);
	};
	const objective = (at: Float64Array, f: Float64Array): number => {
		let total = 0;
		for (let i = 0; i < n; i++) total += softplus(f[i]) - labels[i] * f[i];
		return total + 0.5 * lambda * dotF64(at, 0, at, 0, r);
	};
	const finish = (iterations: number, converged: boolean): NewtonResult => {
		const byRow = new Float64Array(n);
		z.order.forEach((row, position) => (byRow[row] = sigmoid(scores[position])));
		return { probabilities: byRow, iterations, converged };
	};

	scoresOf(parameters, scores);
	let value = objective(parameters, scores);
	for (let iteration = 0; iteration < maxIterations; iteration++) {
		let residualSum = 0;
		let weightSum = 0;
		for (let i = 0; i < n; i++) {
			const p = sigmoid(scores[i]);
			residuals[i] = p - labels[i];
			weights[i] = p * (1 - p);
			residualSum += residuals[i];
			weightSum += weights[i];
		}
		for (let a = 0; a < r; a++) {
			const from = starts[a];
			const column = a * n;
			gradient[a] = dotF64(columns, column + from, residuals, from, n - from) + lambda * parameters[a];
			for (let i = from; i < n; i++) weighted[i] = weights[i] * columns[column + i];
			for (let c = 0; c <= a; c++) {
				const common = Math.max(from, starts[c]);
				hessian[a * size + c] = dotF64(weighted, common, columns, c * n + common, n - common);
			}
			hessian[a * size + a] += lambda;
			let intercept = 0;
			for (let i = from; i < n; i++) intercept += weighted[i];
			hessian[r * size + a] = intercept;
		}
		gradient[r] = residualSum;
		hessian[r * size + r] = weightSum;
		for (let a = 0; a < size; a++) step[a] = -gradient[a];
		choleskySolveInPlace(hessian, size, step);
		const decrement = -dotF64(gradient, 0, step, 0, size);
		if (!(decrement >= 0) || !Number.isFinite(decrement)) break;
		if (decrement / 2 <= tolerance) return finish(iteration, true);
		let t = 1;
		let accepted = false;
		for (let halving = 0; halving < 60; halving++, t /= 2) {
			for (let a = 0; a < size; a++) candidate[a] = parameters[a] + t * step[a];
			scoresOf(candidate, candidateScores);
			const next = objective(candidate, candidateScores);
			if (next <= value - 1e-4 * t * decrement) {
				parameters.set(candidate);
				scores.set(candidateScores);
				value = next;
				accepted = true;
				break;
			}
		}
		// No step decreases the objective any more: it is at its minimum to rounding.
		if (!accepted) return finish(iteration + 1, true);
	}
	return finish(maxIterations, false);
}

/** Solves A·x = b for symmetric positive definite A (size × size, row-major, lower triangle read), overwriting A and b. */
function choleskySolveInPlace(a: Float64Array, size: number, b: Float64Array): void {
	for (let j = 0; j < size; j++) {
		const rowJ = j * size;
		const diagonal = a[rowJ + j] - dotF64(a, rowJ, a, rowJ, j);
		if (!(diagonal > 0)) throw new RangeError("probe: the Newton system is not positive definite");
		const root = Math.sqrt(diagonal);
		a[rowJ + j] = root;
		for (let i = j + 1; i < size; i++) a[i * size + j] = (a[i * size + j] - dotF64(a, i * size, a, rowJ, j)) / root;
	}
	for (let i = 0; i < size; i++) b[i] = (b[i] - dotF64(a, i * size, b, 0, i)) / a[i * size + i];
	for (let i = size - 1; i >= 0; i--) {
		let value = b[i];
		for (let k = i + 1; k < size; k++) value -= a[k * size + i] * b[k];
		b[i] = value / a[i * size + i];
	}
}

function sigmoid(f: number): number {
	if (f >= 0) return 1 / (1 + Math.exp(-f));
	const e = Math.exp(f);
	return e / (1 + e);
}

/** log(1 + eᶠ) without overflow. */
function softplus(f: number): number {
	return Math.max(f, 0) + Math.log1p(Math.exp(-Math.abs(f)));
}

function range(count: number): number[] {
	return Array.from({ length: count }, (_, i) => i);
}

function checkedRow(row: number, rows: number, side: string): number {
	if (!Number.isInteger(row) || row < 0 || row >= rows)
		throw new RangeError(`probe: ${side} row ${row} is out of range (0..${rows - 1})`);
	return row;
}
