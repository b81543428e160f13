/**
 * The ways of turning paired hidden states into one direction per layer.
 *
 * All methods return a unit-length direction; its sign is fixed afterwards (see sign). Unit length
 * keeps "strength" independent of the method and of the data's scale — calibration supplies the
 * physical size from the layer's typical hidden-state norm.
 *
 * - `mean-diff`: the mean of positive − negative (difference in means; ActAdd, concept-guidance,
 *   llama.cpp `--method mean`).
 * - `pca-diff`: first principal axis of the difference rows, not centred: the unit v maximising
 *   Σᵢ (dᵢ·v)², i.e. the top right-singular vector of the difference matrix. Since
 *   Σ(dᵢ·v)² = N·(d̄·v)² + Σ((dᵢ − d̄)·v)², it rewards both the consistent shift and its variation.
 *   repeng's `pca_diff` does not centre explicitly either, but it hands the differences to
 *   scikit-learn's PCA, which always subtracts the column mean; that removes the consistent shift d̄
 *   — the very signal — and keeps only how the shift varies between pairs. `centerDifferences: true`
 *   reproduces that behaviour for comparison; it is not the default because a constant shift is then
 *   invisible.
 * - `pca-center`: repeng's `pca_center`: each pair is centred on its own mean m = (p + n)/2 and the
 *   rows p − m and n − m are stacked before PCA. Those rows are +d/2 and −d/2, whose mean is zero, so
 *   this is exactly the uncentred `pca-diff` axis (and the same explained-variance ratio); it is
 *   computed literally on the stacked rows so that the identity stays checkable.
 * - `probe`: the weight vector of an L2-regularised logistic regression telling the positive rows
 *   (label 1) from the negative ones (label 0), concept-guidance's LogisticProbe and the
 *   steering-vectors library's logistic aggregator (see probe). It reads the rows one by one and
 *   ignores the pairing, as both libraries do; where mean-diff follows every row's noise equally, the
 *   probe discounts directions in which the rows vary a lot anyway.
 *
 * Labelled examples that come in no pairs (UnpairedLayerActivations) are fitted by fitClassDirection:
 * `mean-diff` is then the difference of the two classes' means, and `probe` is the same fit; the PCA
 * methods work on each pair's difference and refuse such data by name.
 */
import type { LayerActivations, UnpairedLayerActivations } from "./activations";
import { pairDifferences, sideMatrix, type DifferenceMatrix } from "./activations";
import { axpyF32F64, dotF32F64, dotF64, meanRows, normalizeInPlace, type RowMatrix } from "./linearAlgebra";
import { fitLogisticProbe } from "./probe";
import { topPrincipalComponent } from "./topComponent";

export type TrainingMethod = "mean-diff" | "pca-diff" | "pca-center" | "probe";

export const TRAINING_METHODS: readonly TrainingMethod[] = ["mean-diff", "pca-diff", "pca-center", "probe"];

/** The methods that also train from labelled examples without pairs. */
export const UNPAIRED_TRAINING_METHODS: readonly TrainingMethod[] = ["mean-diff", "probe"];

/**
 * Refuses a method that needs contrast pairs for unpaired examples, naming what to use instead; the
 * message is meant for the user.
 */
export function requireUnpairedMethod(method: TrainingMethod): void {
	if (UNPAIRED_TRAINING_METHODS.includes(method)) return;
	if (!TRAINING_METHODS.includes(method)) {
		throw new RangeError(
			`unknown training method "${String(method)}"; expected one of ${TRAINING_METHODS.join(", ")}`
		);
	}
	throw new RangeError(
		`${method} needs contrast pairs (it works on each pair's positive − negative difference), and labelled examples come in no pairs; train them with ${UNPAIRED_TRAINING_METHODS.join(" or ")}, or write the data as pairs`
	);
}

export interface DirectionFitOptions {
	/** For `pca-diff` only: centre the differences first, as repeng's scikit-learn call does. Default false. */
	readonly centerDifferences?: boolean;
	/** Warm start for the PCA methods (e.g. the direction fitted on a subset). */
	readonly start?: Float64Array;
	/** Seed of the PCA start vector's random component. */
	readonly seed?: number;
	/** Reusable scratch buffer for the difference matrix. */
	readonly scratch?: Float32Array;
	/** For `probe` only: its λ (see probe). Default 1. */
	readonly l2Penalty?: number;
}

export interface DirectionFit {
	/** Unit-length direction; sign not yet fixed. */
	readonly direction: Float64Array;
	/**
	 * Fraction of the training matrix's energy (sum of squared rows, centred where the method centres)
	 * that lies along `direction`. For the PCA methods this is λ₁ / trace; for `mean-diff` the same
	 * quantity evaluated at the mean direction, so it is comparable across methods and never exceeds the
	 * PCA value.
	 */
	readonly explainedVarianceRatio: number;
	/**
	 * Total squared norm of the difference rows (after centring, for centred pca-diff). Zero means the
	 * positives equal the negatives and `direction` is meaningless.
	 */
	readonly totalEnergy: number;
	/** Matrix-vector products spent (0 for mean-diff). */
	readonly iterations: number;
	readonly converged: boolean;
	/** The difference rows the fit used (pair order = the given indices); valid until the scratch is reused. */
	readonly differences: RowMatrix;
}

/** Fits a direction to the selected pairs of one layer. */
export function fitDirection(
	activations: LayerActivations,
	pairIndices: readonly number[],
	method: TrainingMethod,
	options: DirectionFitOptions = {}
): DirectionFit {
	if (pairIndices.length === 0)
		throw new RangeError(`layer ${activations.layer}: cannot fit a direction to zero pairs`);
	const differences = pairDifferences(activations, pairIndices, options.scratch);
	switch (method) {
		case "mean-diff":
			return fitMeanDifference(activations.layer, differences);
		case "probe": {
			if (!(differences.sumOfSquares > 0)) return noContrast(differences);
			const probe = fitLogisticProbe(sideMatrix(activations, "positive"), sideMatrix(activations, "negative"), {
				positiveRows: pairIndices,
				negativeRows: pairIndices,
				l2Penalty: options.l2Penalty
			});
			return {
				direction: probe.direction,
				explainedVarianceRatio: energyRatioAlong(differences, probe.direction),
				totalEnergy: differences.sumOfSquares,
				iterations: probe.iterations,
				converged: probe.converged,
				differences
			};
		}
		case "pca-diff": {
			const component = topPrincipalComponent(differences, {
				center: options.centerDifferences ?? false,
				start: options.start,
				seed: options.seed,
				sumOfSquares: differences.sumOfSquares
			});
			return { ...component, totalEnergy: component.totalVariance, differences };
		}
		case "pca-center": {
			const stacked = stackPairCentredRows(differences);
			// The stacked rows are ±d/2, so their squared norms sum to Σ‖d‖²/2.
			const component = topPrincipalComponent(stacked, {
				center: false,
				start: options.start,
				seed: options.seed,
				sumOfSquares: differences.sumOfSquares / 2
			});
			return { ...component, totalEnergy: component.totalVariance, differences };
		}
		default:
			throw new RangeError(
				`unknown training method "${String(method)}"; expected one of ${TRAINING_METHODS.join(", ")}`
			);
	}
}

function fitMeanDifference(layer: number, differences: DifferenceMatrix): DirectionFit {
	const total = differences.sumOfSquares;
	if (!(total > 0)) return noContrast(differences);
	const direction = meanRows(differences);
	const meanNorm = Math.sqrt(dotF64(direction, 0, direction, 0, direction.length));
	if (!(meanNorm > 0)) {
		throw new RangeError(
			`layer ${layer}: the pair differences cancel out (their mean is zero), so mean-diff has no direction; try pca-diff`
		);
	}
	normalizeInPlace(direction);
	return {
		direction,
		explainedVarianceRatio: energyRatioAlong(differences, direction),
		totalEnergy: total,
		iterations: 0,
		converged: true,
		differences
	};
}

/** Positives equal to their negatives: a placeholder axis with zero energy, which training leaves out. */
function noContrast(differences: DifferenceMatrix): DirectionFit {
	const direction = new Float64Array(differences.cols);
	direction[0] = 1;
	return { direction, explainedVarianceRatio: 0, totalEnergy: 0, iterations: 0, converged: true, differences };
}

/** Σᵢ (dᵢ·v)² / Σᵢ ‖dᵢ‖² for a unit v: the share of the differences' energy along v. */
function energyRatioAlong(differences: DifferenceMatrix, direction: Float64Array): number {
	let along = 0;
	for (let i = 0; i < differences.rows; i++) {
		const projection = dotF32F64(differences.data, i * differences.cols, direction, 0, differences.cols);
		along += projection * projection;
	}
	return Math.min(1, along / differences.sumOfSquares);
}

/** Which rows of each class a fit on unpaired examples uses. */
export interface ClassSelection {
	readonly positive: readonly number[];
	readonly negative: readonly number[];
}

/** A direction fitted to unpaired examples. */
export interface ClassDirectionFit {
	/** Unit-length direction; sign not yet fixed. */
	readonly direction: Float64Array;
	/**
	 * Fraction of the rows' variance around their common mean that lies along `direction`:
	 * Σᵢ ((xᵢ − m)·v)² / Σᵢ ‖xᵢ − m‖² over the selected rows of both classes.
	 */
	readonly explainedVarianceRatio: number;
	/** Σᵢ ‖xᵢ − m‖²; zero means every selected row is the same and `direction` is meaningless. */
	readonly totalEnergy: number;
	readonly iterations: number;
	readonly converged: boolean;
}

/**
 * Fits a direction to the selected examples of one layer: `mean-diff` is mean(positives) −
 * mean(negatives), `probe` the logistic probe; the PCA methods are refused (requireUnpairedMethod).
 */
export function fitClassDirection(
	activations: UnpairedLayerActivations,
	selection: ClassSelection,
	method: TrainingMethod,
	options: Pick<DirectionFitOptions, "l2Penalty"> = {}
): ClassDirectionFit {
	requireUnpairedMethod(method);
	const { layer, nEmbd } = activations;
	if (selection.positive.length === 0 || selection.negative.length === 0) {
		throw new RangeError(
			`layer ${layer}: a direction needs examples of both classes; got ${selection.positive.length} positive and ${selection.negative.length} negative examples`
		);
	}
	const positive = sideMatrix(activations, "positive");
	const negative = sideMatrix(activations, "negative");
	const positiveMean = meanOfRows(positive, selection.positive);
	const negativeMean = meanOfRows(negative, selection.negative);
	const count = selection.positive.length + selection.negative.length;
	const mean = new Float64Array(nEmbd);
	for (let k = 0; k < nEmbd; k++)
		mean[k] = (selection.positive.length * positiveMean[k] + selection.negative.length * negativeMean[k]) / count;
	const totalEnergy =
		centredEnergy(positive, selection.positive, mean) + centredEnergy(negative, selection.negative, mean);
	if (!(totalEnergy > 0)) {
		const direction = new Float64Array(nEmbd);
		direction[0] = 1;
		return { direction, explainedVarianceRatio: 0, totalEnergy: 0, iterations: 0, converged: true };
	}
	let direction: Float64Array;
	let iterations = 0;
	let converged = true;
	if (method === "probe") {
		const probe = fitLogisticProbe(positive, negative, {
			positiveRows: selection.positive,
			negativeRows: selection.negative,
			l2Penalty: options.l2Penalty
		});
		({ direction, iterations, converged } = probe);
	} else {
		direction = new Float64Array(nEmbd);
		for (let k = 0; k < nEmbd; k++) direction[k] = positiveMean[k] - negativeMean[k];
		if (!(Math.sqrt(dotF64(direction, 0, direction, 0, nEmbd)) > 0)) {
			throw new RangeError(
				`layer ${layer}: the positives and negatives have the same mean, so mean-diff has no direction; try probe`
			);
		}
		normalizeInPlace(direction);
	}
	const along =
		centredEnergyAlong(positive, selection.positive, mean, direction) +
		centredEnergyAlong(negative, selection.negative, mean, direction);
	return { direction, explainedVarianceRatio: Math.min(1, along / totalEnergy), totalEnergy, iterations, converged };
}

function meanOfRows(matrix: RowMatrix, rows: readonly number[]): Float64Array {
	const mean = new Float64Array(matrix.cols);
	for (const row of rows) axpyF32F64(1, matrix.data, row * matrix.cols, mean, 0, matrix.cols);
	for (let k = 0; k < matrix.cols; k++) mean[k] /= rows.length;
	return mean;
}

function centredEnergy(matrix: RowMatrix, rows: readonly number[], mean: Float64Array): number {
	let total = 0;
	for (const row of rows) {
		const offset = row * matrix.cols;
		for (let k = 0; k < matrix.cols; k++) {
			const value = matrix.data[offset + k] - mean[k];
			total += value * value;
		}
	}
	return total;
}

function centredEnergyAlong(
	matrix: RowMatrix,
	rows: readonly number[],
	mean: Float64Array,
	direction: Float64Array
): number {
	const meanProjection = dotF64(mean, 0, direction, 0, matrix.cols);
	let total = 0;
	for (const row of rows) {
		const projection = dotF32F64(matrix.data, row * matrix.cols, direction, 0, matrix.cols) - meanProjection;
		total += projection * projection;
	}
	return total;
}

/** Rows p − (p+n)/2 = d/2 and n − (p+n)/2 = −d/2, interleaved pair by pair. */
function stackPairCentredRows(differences: RowMatrix): RowMatrix {
	const { rows, cols, data } = differences;
	const stacked = new Float32Array(2 * rows * cols);
	for (let i = 0; i < rows; i++) {
		const source = i * cols;
		const positiveRow = 2 * i * cols;
		const negativeRow = positiveRow + cols;
		for (let k = 0; k < cols; k++) {
			const half = 0.5 * data[source + k];
			stacked[positiveRow + k] = half;
			stacked[negativeRow + k] = -half;
		}
	}
	return { rows: 2 * rows, cols, data: stacked };
}
