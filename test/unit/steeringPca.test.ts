import assert from "node:assert/strict";
import { gramMatrix, cosine, type RowMatrix } from "../../src/steering/training/linearAlgebra";
import { symmetricEigen } from "../../src/steering/training/symmetricEigen";
import { topPrincipalComponent } from "../../src/steering/training/topComponent";
import { gaussian } from "./steeringSynthetic";

function randomMatrix(rows: number, cols: number, seed: number, scales?: number[]): RowMatrix {
	const normal = gaussian(seed);
	const data = new Float32Array(rows * cols);
	for (let i = 0; i < rows; i++)
		for (let k = 0; k < cols; k++) data[i * cols + k] = normal() * (scales ? scales[k] : 1);
	return { rows, cols, data };
}

/** Reference: D×D covariance XᵀX (optionally centred) and plain power iteration to full convergence. */
function naiveTopComponent(
	matrix: RowMatrix,
	center: boolean
): { direction: Float64Array; eigenvalue: number; trace: number } {
	const { rows, cols, data } = matrix;
	const mean = new Float64Array(cols);
	if (center) for (let i = 0; i < rows; i++) for (let k = 0; k < cols; k++) mean[k] += data[i * cols + k] / rows;
	const covariance = new Float64Array(cols * cols);
	for (let i = 0; i < rows; i++) {
		for (let a = 0; a < cols; a++) {
			for (let b = 0; b < cols; b++)
				covariance[a * cols + b] += (data[i * cols + a] - mean[a]) * (data[i * cols + b] - mean[b]);
		}
	}
	let v = new Float64Array(cols).fill(1);
	let eigenvalue = 0;
	for (let iteration = 0; iteration < 2000; iteration++) {
		const next = new Float64Array(cols);
		for (let a = 0; a < cols; a++) for (let b = 0; b < cols; b++) next[a] += covariance[a * cols + b] * v[b];
		eigenvalue = Math.hypot(...next);
		v = next.map((x) => x / eigenvalue);
	}
	let trace = 0;
	for (let a = 0; a < cols; a++) trace += covariance[a * cols + a];
	return { direction: v, eigenvalue, trace };
}

describe("steering PCA", () => {
	it("symmetric Jacobi reproduces a known spectrum", () => {
		// [[2,1],[1,2]] has eigenvalues 3 and 1 with eigenvectors (1,1)/√2 and (1,−1)/√2.
		const { values, vectors } = symmetricEigen(Float64Array.from([2, 1, 1, 2]), 2);
		assert.ok(Math.abs(values[0] - 3) < 1e-12 && Math.abs(values[1] - 1) < 1e-12);
		assert.ok(Math.abs(Math.abs(vectors[0]) - Math.SQRT1_2) < 1e-12 && Math.abs(vectors[0] - vectors[2]) < 1e-12);
	});

	it("Jacobi eigenpairs satisfy G·v = λ·v on a random Gram matrix", () => {
		const matrix = randomMatrix(6, 9, 3);
		const gram = gramMatrix(matrix);
		const { values, vectors } = symmetricEigen(gram, 6);
		let trace = 0;
		for (let i = 0; i < 6; i++) trace += gram[i * 6 + i];
		assert.ok(Math.abs(values.reduce((a, b) => a + b, 0) - trace) < 1e-9 * trace);
		for (let j = 0; j < 6; j++) {
			for (let i = 0; i < 6; i++) {
				let gv = 0;
				for (let k = 0; k < 6; k++) gv += gram[i * 6 + k] * vectors[k * 6 + j];
				assert.ok(Math.abs(gv - values[j] * vectors[i * 6 + j]) < 1e-9 * values[0]);
			}
		}
		for (let j = 1; j < 6; j++) assert.ok(values[j - 1] >= values[j]);
	});

	for (const center of [false, true]) {
		it(`Krylov top component matches naive D×D power iteration (center=${center})`, () => {
			const scales = Array.from({ length: 12 }, (_, k) => 1 + 0.3 * k);
			const matrix = randomMatrix(30, 12, 11, scales);
			const reference = naiveTopComponent(matrix, center);
			const fast = topPrincipalComponent(matrix, { center, tolerance: 1e-10 });
			assert.ok(Math.abs(cosine(fast.direction, reference.direction)) > 1 - 1e-9);
			assert.ok(Math.abs(fast.eigenvalue - reference.eigenvalue) < 1e-8 * reference.eigenvalue);
			assert.ok(Math.abs(fast.totalVariance - reference.trace) < 1e-8 * reference.trace);
			assert.ok(Math.abs(fast.explainedVarianceRatio - reference.eigenvalue / reference.trace) < 1e-9);
			assert.ok(fast.converged);
		});
	}

	it("agrees with the exact Gram-matrix eigen-decomposition when rows ≪ columns", () => {
		const matrix = randomMatrix(8, 200, 5);
		const { values } = symmetricEigen(gramMatrix(matrix), 8);
		const fast = topPrincipalComponent(matrix, { tolerance: 1e-10 });
		assert.ok(Math.abs(fast.eigenvalue - values[0]) < 1e-8 * values[0]);
		const trace = values.reduce((a, b) => a + b, 0);
		assert.ok(Math.abs(fast.explainedVarianceRatio - values[0] / trace) < 1e-9);
	});

	it("explained-variance ratio: 1 for rank-one data, 1/2 for two equal orthogonal axes, 0 for zeros", () => {
		const rankOne: RowMatrix = {
			rows: 3,
			cols: 4,
			data: Float32Array.from([1, 2, 0, 0, -2, -4, 0, 0, 3, 6, 0, 0])
		};
		const one = topPrincipalComponent(rankOne);
		assert.ok(Math.abs(one.explainedVarianceRatio - 1) < 1e-12);
		assert.ok(Math.abs(Math.abs(cosine(one.direction, Float64Array.from([1, 2, 0, 0]))) - 1) < 1e-12);

		const twoAxes: RowMatrix = { rows: 2, cols: 3, data: Float32Array.from([3, 0, 0, 0, 3, 0]) };
		assert.ok(Math.abs(topPrincipalComponent(twoAxes).explainedVarianceRatio - 0.5) < 1e-8);

		// Axes with variances 9 and 1: ratio 9/10.
		const unequal: RowMatrix = { rows: 2, cols: 2, data: Float32Array.from([3, 0, 0, 1]) };
		assert.ok(Math.abs(topPrincipalComponent(unequal, { tolerance: 1e-12 }).explainedVarianceRatio - 0.9) < 1e-12);

		const zeros = topPrincipalComponent({ rows: 2, cols: 3, data: new Float32Array(6) });
		assert.equal(zeros.explainedVarianceRatio, 0);
		assert.equal(zeros.totalVariance, 0);
	});

	it("centring removes a constant offset that uncentred PCA reports", () => {
		// Every row is (5, 0) plus ±(0, 1): uncentred the offset dominates, centred only the ±1 axis is left.
		const matrix: RowMatrix = { rows: 4, cols: 2, data: Float32Array.from([5, 1, 5, -1, 5, 1, 5, -1]) };
		assert.ok(Math.abs(Math.abs(topPrincipalComponent(matrix).direction[0]) - 1) < 1e-9);
		const centred = topPrincipalComponent(matrix, { center: true });
		assert.ok(Math.abs(Math.abs(centred.direction[1]) - 1) < 1e-9);
		assert.ok(Math.abs(centred.explainedVarianceRatio - 1) < 1e-12);
	});

	it("rejects inconsistent shapes with the shapes in the message", () => {
		assert.throws(
			() => topPrincipalComponent({ rows: 2, cols: 3, data: new Float32Array(5) }),
			/2×3 = 6 values but holds 5/
		);
		assert.throws(
			() =>
				topPrincipalComponent(
					{ rows: 2, cols: 3, data: new Float32Array(6).fill(1) },
					{ start: new Float64Array(4) }
				),
			/length 4, matrix has 3 columns/
		);
	});
});
