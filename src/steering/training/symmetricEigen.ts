/**
 * Eigen-decomposition of small symmetric matrices by the cyclic Jacobi method.
 *
 * Used on the tiny projected matrices of the Krylov iteration (tens of rows) and as an exact
 * reference on small Gram matrices. Jacobi is slower than QR for large matrices but simple, stable,
 * and accurate to machine precision for the sizes it sees here.
 */

export interface SymmetricEigen {
	/** Eigenvalues sorted in descending order. */
	readonly values: Float64Array;
	/** Row-major n×n; column j (vectors[i*n + j] over i) is the unit eigenvector of values[j]. */
	readonly vectors: Float64Array;
}

const MAX_SWEEPS = 100;

/**
 * Eigenvalues and eigenvectors of the symmetric n×n matrix `matrix` (row-major; only its symmetric part
 * is used). The input is not modified.
 */
export function symmetricEigen(matrix: Float64Array, n: number): SymmetricEigen {
	if (matrix.length !== n * n) {
		throw new RangeError(
			`symmetric eigen-decomposition: expected ${n}×${n} = ${n * n} entries, got ${matrix.length}`
		);
	}
	const a = new Float64Array(n * n);
	for (let i = 0; i < n; i++) {
		for (let j = 0; j < n; j++) a[i * n + j] = 0.5 * (matrix[i * n + j] + matrix[j * n + i]);
	}
	const v = new Float64Array(n * n);
	for (let i = 0; i < n; i++) v[i * n + i] = 1;

	for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
		let offDiagonal = 0;
		let diagonal = 0;
		for (let i = 0; i < n; i++) {
			diagonal += a[i * n + i] * a[i * n + i];
			for (let j = i + 1; j < n; j++) offDiagonal += a[i * n + j] * a[i * n + j];
		}
		if (offDiagonal <= 1e-30 * Math.max(diagonal, 1e-300)) break;
		for (let p = 0; p < n; p++) {
			for (let q = p + 1; q < n; q++) {
				const apq = a[p * n + q];
				if (apq === 0) continue;
				const app = a[p * n + p];
				const aqq = a[q * n + q];
				// Rotation angle chosen so that the (p,q) entry vanishes; the smaller root keeps it stable.
				const theta = (aqq - app) / (2 * apq);
				const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
				const c = 1 / Math.sqrt(t * t + 1);
				const s = t * c;
				for (let k = 0; k < n; k++) {
					const akp = a[k * n + p];
					const akq = a[k * n + q];
					a[k * n + p] = c * akp - s * akq;
					a[k * n + q] = s * akp + c * akq;
				}
				for (let k = 0; k < n; k++) {
					const apk = a[p * n + k];
					const aqk = a[q * n + k];
					a[p * n + k] = c * apk - s * aqk;
					a[q * n + k] = s * apk + c * aqk;
				}
				for (let k = 0; k < n; k++) {
					const vkp = v[k * n + p];
					const vkq = v[k * n + q];
					v[k * n + p] = c * vkp - s * vkq;
					v[k * n + q] = s * vkp + c * vkq;
				}
			}
		}
	}

	const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => a[y * n + y] - a[x * n + x]);
	const values = new Float64Array(n);
	const vectors = new Float64Array(n * n);
	order.forEach((source, target) => {
		values[target] = a[source * n + source];
		for (let k = 0; k < n; k++) vectors[k * n + target] = v[k * n + source];
	});
	return { values, vectors };
}
