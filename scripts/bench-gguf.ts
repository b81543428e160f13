/**
 * GGUF reader benchmark: does a corrupted file ever cost much more to parse (or to refuse) than the
 * intact file it came from? Runs the reader fuzz test's corpus (test/fixtures/gguf/fuzzCorpus.ts, same
 * seed) and prints, per base file, the slowest corrupted case (best of three re-runs, so a garbage
 * collection pause is not counted) divided by the median parse time of the intact base.
 *
 *   slowest corrupted parse ÷ intact parse    goal ≤ 5
 *
 * Usage: npm run bench:gguf [-- --cases 20000 --seed 24301]
 */
import { parseArgs } from "node:util";
import { readControlVector } from "../src/steering/gguf/controlVector";
import { readGguf } from "../src/steering/gguf/reader";
import { baseFiles, drawFuzzCase, headerEndOf } from "../test/fixtures/gguf/fuzzCorpus";
import { mulberry32 } from "../src/steering/random";

const { values } = parseArgs({ options: { cases: { type: "string" }, seed: { type: "string" } } });
const cases = Number(values.cases ?? 10_000);
const seed = Number(values.seed ?? 0x5eed);
const baseNames = ["control vector", "every metadata type", "generated model"];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Milliseconds one call of `parse` takes, best of `reps`; a refusal counts as the end of the parse. */
function bestTime(parse: () => unknown, reps: number): number {
	let best = Number.POSITIVE_INFINITY;
	for (let i = 0; i < reps; i++) {
		const started = performance.now();
		try {
			parse();
		} catch {
			// A refusal is an outcome like any other here; the fuzz test checks which error it is.
		}
		best = Math.min(best, performance.now() - started);
	}
	return best;
}

const parses = (input: Uint8Array) => [() => readGguf(input), () => readControlVector(input)];

const bases = baseFiles();
const headerEnds = bases.map(headerEndOf);
// Warm up the parser so the first base measured is not charged for compilation.
for (let i = 0; i < 200; i++) for (const base of bases) for (const parse of parses(base)) bestTime(parse, 1);
const intact = bases.map((base) =>
	median(Array.from({ length: 51 }, () => Math.max(...parses(base).map((parse) => bestTime(parse, 1)))))
);

const random = mulberry32(seed);
const slowest = bases.map(() => ({ ms: 0, label: "", rerun: (): unknown => undefined }));
for (let n = 0; n < cases; n++) {
	const drawn = drawFuzzCase(bases, headerEnds, random, n, seed);
	for (const parse of parses(drawn.input)) {
		const ms = bestTime(parse, 1);
		if (ms > slowest[drawn.baseIndex]!.ms) slowest[drawn.baseIndex] = { ms, label: drawn.label, rerun: parse };
	}
}

console.log(`GGUF reader, ${cases} corrupted cases (seed ${seed})`);
let worst = 0;
bases.forEach((base, index) => {
	const again = bestTime(slowest[index]!.rerun, 3);
	const ratio = again / intact[index]!;
	worst = Math.max(worst, ratio);
	console.log(
		`  ${baseNames[index]!.padEnd(20)} ${base.length.toString().padStart(6)} bytes: intact ${intact[index]!.toFixed(3)} ms, ` +
			`slowest corrupted ${again.toFixed(3)} ms (${slowest[index]!.label}) → ratio ${ratio.toFixed(2)}`
	);
});
console.log(`slowest corrupted parse ÷ intact parse: ${worst.toFixed(2)} (goal ≤ 5)`);
