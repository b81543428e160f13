/**
 * Benchmark: PCA-diff training on 256 pairs × 32 layers × 4096 dims (a 7B-class model's shape).
 *
 * Run: npx tsx scripts/bench-pca.ts [pairs] [layers] [nEmbd]
 *
 * The synthetic data mimics what training sees: each pair shares a large prompt-specific hidden state,
 * the positive side adds a planted concept shift, and both sides add independent noise. The shift is
 * deliberately modest (a quarter of the difference noise's norm) so the eigen-gap is realistic rather
 * than trivially large. Prints wall time for the whole trainSteeringVector call (held-out fit, full fit,
 * sign fixing, histograms and norms included) and the recovered direction's cosine with the plant.
 */
import { cosine } from "../src/steering/training/linearAlgebra";
import type { LayerActivations } from "../src/steering/training/activations";
import { trainSteeringVector } from "../src/steering/training/train";

const pairs = Number(process.argv[2] ?? 256);
const layers = Number(process.argv[3] ?? 32);
const nEmbd = Number(process.argv[4] ?? 4096);

function xorshift(seed: number): () => number {
	let state = seed >>> 0 || 1;
	return () => {
		state ^= state << 13;
		state >>>= 0;
		state ^= state >>> 17;
		state ^= state << 5;
		state >>>= 0;
		return state / 4294967296;
	};
}

/**
 * Cheap standard-normal samples: a table of 2¹⁶ Box–Muller values indexed by a fast PRNG. 200M exact
 * samples would take longer than everything being measured; the table is plenty random for timing.
 */
function normalSampler(seed: number): () => number {
	const uniform = xorshift(seed);
	const table = new Float64Array(65536);
	for (let i = 0; i < table.length; i++) {
		table[i] = Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
	}
	let state = (seed * 2654435761) >>> 0 || 1;
	return () => {
		state ^= state << 13;
		state ^= state >>> 17;
		state ^= state << 5;
		return table[(state >>> 8) & 0xffff];
	};
}

const generationStart = performance.now();
const normal = normalSampler(12345);
const planted = new Map<number, Float32Array>();
const activations: LayerActivations[] = [];
const noiseNorm = Math.sqrt(2 * nEmbd);
for (let layer = 1; layer <= layers; layer++) {
	const shift = new Float32Array(nEmbd);
	let shiftNorm = 0;
	for (let k = 0; k < nEmbd; k++) {
		shift[k] = normal();
		shiftNorm += shift[k] * shift[k];
	}
	const scale = (0.25 * noiseNorm) / Math.sqrt(shiftNorm);
	for (let k = 0; k < nEmbd; k++) shift[k] *= scale;
	planted.set(layer, shift);
	const positive = new Float32Array(pairs * nEmbd);
	const negative = new Float32Array(pairs * nEmbd);
	for (let i = 0; i < pairs; i++) {
		for (let k = 0; k < nEmbd; k++) {
			const base = 3 * normal();
			positive[i * nEmbd + k] = base + shift[k] + normal();
			negative[i * nEmbd + k] = base + normal();
		}
	}
	activations.push({ layer, nEmbd, positive, negative });
}
const generationMs = performance.now() - generationStart;

// Several timed runs: the figure that matters is the typical one, and the minimum shows the cost
// without interference from other processes on the machine.
const runs = Number(process.env.BENCH_RUNS ?? 5);
const timings: number[] = [];
const cpuTimings: number[] = [];
// A warm-up on one layer lets V8 optimise the kernels first, as the first layer of a real run would.
let result = trainSteeringVector(activations.slice(0, 1), { method: "pca-diff" });
for (let run = 0; run < runs; run++) {
	const start = performance.now();
	const cpuStart = process.cpuUsage();
	result = trainSteeringVector(activations, { method: "pca-diff", validationFraction: 0.2, seed: 1 });
	const cpu = process.cpuUsage(cpuStart);
	timings.push(performance.now() - start);
	cpuTimings.push((cpu.user + cpu.system) / 1000);
}
timings.sort((a, b) => a - b);
cpuTimings.sort((a, b) => a - b);
const medianMs = timings[Math.floor(timings.length / 2)];

let worstCosine = 1;
let iterations = 0;
for (const diagnostics of result.diagnostics) {
	const direction = result.vector.directions.get(diagnostics.layer);
	const shift = planted.get(diagnostics.layer);
	if (direction && shift) worstCosine = Math.min(worstCosine, cosine(direction, shift));
	iterations += diagnostics.iterations;
}
console.log(
	`data: ${pairs} pairs × ${layers} layers × ${nEmbd} dims (generated in ${(generationMs / 1000).toFixed(1)} s)`
);
console.log(
	`pca-diff training with diagnostics, ${runs} runs: median ${medianMs.toFixed(0)} ms (${(medianMs / layers).toFixed(1)} ms per layer), ` +
		`min ${timings[0].toFixed(0)} ms, max ${timings[timings.length - 1].toFixed(0)} ms`
);
// CPU time is less sensitive than wall time to other processes competing for the cores.
console.log(
	`CPU time: median ${cpuTimings[Math.floor(cpuTimings.length / 2)].toFixed(0)} ms, min ${cpuTimings[0].toFixed(0)} ms`
);
console.log(
	`final-fit Krylov steps per layer: ${(iterations / layers).toFixed(1)}; worst cosine with the planted shift: ${worstCosine.toFixed(4)}`
);
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
console.log(
	`mean held-out accuracy ${mean(result.diagnostics.map((d) => d.heldOutAccuracy ?? Number.NaN)).toFixed(3)}, ` +
		`mean explained variance ${mean(result.diagnostics.map((d) => d.explainedVarianceRatio)).toFixed(3)}`
);
