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
 */
import type { LayerActivations } from "./activations";
import { pairDifferences, type DifferenceMatrix } from "./activations";
import { dotF32F64, dotF64, meanRows, normalizeInPlace, type RowMatrix } from "./linearAlgebra";
import { topPrincipalComponent } from "./topComponent";

export type TrainingMethod = "mean-diff" | "pca-diff" | "pca-center";

export const TRAINING_METHODS: readonly TrainingMethod[] = ["mean-diff", "pca-diff", "pca-center"];

export interface DirectionFitOptions {
	/** For `pca-diff` only: centre the differences first, as repeng's scikit-learn call does. Default false. */
	readonly centerDifferences?: boolean;
	/** Warm start for the PCA methods (e.g. the direction fitted on a subset). */
	readonly start?: Float64Array;
	/** Seed of the PCA start vector's random component. */
	readonly seed?: number;
	/** Reusable scratch buffer for the difference matrix. */
	readonly scratch?: Float32Array;
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
	const direction = meanRows(differences);
	if (!(total > 0)) {
		direction.fill(0);
		direction[0] = 1;
		return { direction, explainedVarianceRatio: 0, totalEnergy: 0, iterations: 0, converged: true, differences };
	}
	const meanNorm = Math.sqrt(dotF64(direction, 0, direction, 0, direction.length));
	if (!(meanNorm > 0)) {
		throw new RangeError(
			`layer ${layer}: the pair differences cancel out (their mean is zero), so mean-diff has no direction; try pca-diff`
		);
	}
	normalizeInPlace(direction);
	let along = 0;
	for (let i = 0; i < differences.rows; i++) {
		const projection = dotF32F64(differences.data, i * differences.cols, direction, 0, differences.cols);
		along += projection * projection;
	}
	return {
		direction,
		explainedVarianceRatio: Math.min(1, along / total),
		totalEnergy: total,
		iterations: 0,
		converged: true,
		differences
	};
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
