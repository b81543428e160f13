import assert from "node:assert/strict";
import { readControlVector, writeControlVector } from "../../src/steering/gguf/controlVector";
import { GgufFormatError } from "../../src/steering/gguf/errors";
import { readGguf } from "../../src/steering/gguf/reader";
import { makeTinyLlamaModel } from "../fixtures/gguf/tinyModel";
import { GgufValue } from "../../src/steering/gguf/values";
import { writeGguf } from "../../src/steering/gguf/writer";
import { seededRandom } from "./fixtures/rawGguf";

/**
 * Feeds thousands of corrupted GGUF files to the readers. The contract under test: every input
 * either parses or fails with GgufFormatError — no other exception, no hang, no allocation beyond
 * the input's size. Cases are generated from a fixed seed, so a failure names a reproducible case.
 */

// Overridable for longer hunts, e.g. STEER_FUZZ_CASES=500000 STEER_FUZZ_SEED=7.
const CASES = Number(process.env["STEER_FUZZ_CASES"] ?? 10_000);
const SEED = Number(process.env["STEER_FUZZ_SEED"] ?? 0x5eed);
/** Interesting values to plant over counts, lengths, types and offsets. */
const EXTREME_U64 = [
	0n,
	1n,
	2n,
	3n,
	31n,
	32n,
	0x7fn,
	0xffn,
	0xffffn,
	0x7fffffffn,
	0xffffffffn,
	2n ** 32n,
	2n ** 53n,
	2n ** 60n,
	2n ** 63n,
	2n ** 64n - 1n
];

function baseFiles(): Uint8Array[] {
	const random = seededRandom(1);
	const directions = new Map<number, Float32Array>();
	for (const layer of [1, 2, 4])
		directions.set(
			layer,
			Float32Array.from({ length: 8 }, () => random() - 0.5)
		);
	const controlVector = writeControlVector(
		{ nEmbd: 8, directions },
		{
			modelHint: "llama",
			extraMetadata: [
				["steer.method", GgufValue.string("pca")],
				["steer.layers", GgufValue.numbers("u32", [1, 2, 4])]
			]
		}
	);
	const everyType = writeGguf({
		metadata: [
			["a.u8", GgufValue.u8(1)],
			["a.i8", GgufValue.i8(-1)],
			["a.u16", GgufValue.u16(2)],
			["a.i16", GgufValue.i16(-2)],
			["a.u32", GgufValue.u32(3)],
			["a.i32", GgufValue.i32(-3)],
			["a.f32", GgufValue.f32(0.5)],
			["a.f64", GgufValue.f64(0.25)],
			["a.u64", GgufValue.u64(4n)],
			["a.i64", GgufValue.i64(-4n)],
			["a.bool", GgufValue.bool(true)],
			["a.str", GgufValue.string("s")],
			["a.strs", GgufValue.strings(["x", "yz"])],
			["a.f32s", GgufValue.numbers("f32", [1, 2])],
			["a.nested", GgufValue.arrays([GgufValue.array("i16", Int16Array.of(1, -1))])]
		],
		tensors: [
			{ name: "t.f32", dims: [4, 2], type: "F32", data: new Float32Array(8).fill(1) },
			{ name: "t.f16", dims: [16], type: "F16", data: new Float32Array(16).fill(2) }
		]
	});
	const model = makeTinyLlamaModel({ nLayer: 1, nEmbd: 8, nHead: 2, nHeadKv: 1, nFf: 8 });
	return [controlVector, everyType, model];
}

type Mutation = (input: Uint8Array, random: () => number, headerEnd: number) => Uint8Array;

const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
/** Mostly inside the header, where corruption changes how the file is parsed. */
const headerOffset = (random: () => number, headerEnd: number, length: number): number =>
	Math.floor(random() * (random() < 0.85 ? Math.min(headerEnd, length) : length));

const mutations: readonly [string, Mutation][] = [
	[
		"flip bytes",
		(input, random, headerEnd) => {
			const out = input.slice();
			const flips = 1 + Math.floor(random() * 8);
			for (let i = 0; i < flips; i++)
				out[headerOffset(random, headerEnd, out.length)] ^= 1 << Math.floor(random() * 8);
			return out;
		}
	],
	[
		"random bytes",
		(input, random, headerEnd) => {
			const out = input.slice();
			const at = headerOffset(random, headerEnd, out.length);
			for (let i = at; i < Math.min(out.length, at + 1 + Math.floor(random() * 16)); i++)
				out[i] = Math.floor(random() * 256);
			return out;
		}
	],
	[
		"truncate",
		(input, random, headerEnd) =>
			input.slice(
				0,
				random() < 0.7 ? headerOffset(random, headerEnd, input.length) : Math.floor(random() * input.length)
			)
	],
	[
		"plant extreme u64",
		(input, random, headerEnd) => {
			const out = input.slice();
			const at = Math.min(headerOffset(random, headerEnd, out.length), Math.max(0, out.length - 8));
			new DataView(out.buffer).setBigUint64(at, pick(random, EXTREME_U64), true);
			return out;
		}
	],
	[
		"plant extreme u32",
		(input, random, headerEnd) => {
			const out = input.slice();
			const at = Math.min(headerOffset(random, headerEnd, out.length), Math.max(0, out.length - 4));
			new DataView(out.buffer).setUint32(at, Number(pick(random, EXTREME_U64) & 0xffffffffn), true);
			return out;
		}
	],
	[
		"duplicate a slice",
		(input, random, headerEnd) => {
			const from = headerOffset(random, headerEnd, input.length);
			const length = Math.floor(random() * 64);
			const to = headerOffset(random, headerEnd, input.length);
			const out = new Uint8Array(input.length + length);
			out.set(input.subarray(0, to));
			out.set(input.subarray(from, from + length), to);
			out.set(input.subarray(to), to + Math.min(length, input.length - from));
			return out;
		}
	],
	[
		"random header",
		(_input, random) => {
			const out = new Uint8Array(24 + Math.floor(random() * 200));
			for (let i = 0; i < out.length; i++) out[i] = Math.floor(random() * 256);
			out.set([0x47, 0x47, 0x55, 0x46, random() < 0.5 ? 3 : 2, 0, 0, 0]);
			// Small counts, so the random bytes after them get parsed as keys and values.
			const view = new DataView(out.buffer);
			view.setBigUint64(8, BigInt(Math.floor(random() * 3)), true);
			view.setBigUint64(16, BigInt(Math.floor(random() * 4)), true);
			return out;
		}
	]
];

function headerEndOf(bytes: Uint8Array): number {
	return readGguf(bytes).dataOffset;
}

describe("GGUF reader fuzz", function () {
	this.timeout(Math.max(30_000, CASES * 5));

	it(`turns ${CASES} corrupted inputs into a parse or a GgufFormatError, quickly and within memory`, () => {
		const bases = baseFiles();
		const headerEnds = bases.map(headerEndOf);
		const random = seededRandom(SEED);
		const outcomes = { parsed: 0, rejected: 0, vectorsParsed: 0 };
		const byMutation = new Map<string, number>();
		let slowest = 0;
		let peakArrayBuffers = 0;
		const arrayBuffersBefore = process.memoryUsage().arrayBuffers;
		const started = performance.now();

		let slowestParse: () => unknown = () => undefined;
		const attempt = (label: string, parse: () => unknown): boolean => {
			const t0 = performance.now();
			try {
				parse();
				return true;
			} catch (error) {
				if (!(error instanceof GgufFormatError)) {
					assert.fail(
						`${label}: threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)} instead of GgufFormatError`
					);
				}
				return false;
			} finally {
				const took = performance.now() - t0;
				if (took > slowest) {
					slowest = took;
					slowestParse = parse;
				}
			}
		};
		/** Best of three re-runs of the slowest case: a garbage-collection pause or a busy machine is not the parser's cost. */
		const slowestRerun = (): number => {
			let best = Number.POSITIVE_INFINITY;
			for (let i = 0; i < 3; i++) {
				const t0 = performance.now();
				try {
					slowestParse();
				} catch {
					// Already checked above.
				}
				best = Math.min(best, performance.now() - t0);
			}
			return best;
		};

		for (let n = 0; n < CASES; n++) {
			const baseIndex = Math.floor(random() * bases.length);
			const [name, mutate] = pick(random, mutations);
			const input = mutate(bases[baseIndex]!, random, headerEnds[baseIndex]!);
			const label = `case ${n} (seed ${SEED}, base ${baseIndex}, ${name}, ${input.length} bytes)`;
			byMutation.set(name, (byMutation.get(name) ?? 0) + 1);
			if (attempt(label, () => readGguf(input))) outcomes.parsed++;
			else outcomes.rejected++;
			if (attempt(`${label} as control vector`, () => readControlVector(input))) outcomes.vectorsParsed++;
			// The same input as the prefix of a larger file, as readGgufFile parses it.
			attempt(`${label} as prefix`, () =>
				readGguf(input, { fileSize: input.length + Math.floor(random() * 1e6) })
			);
			if (n % 500 === 0)
				peakArrayBuffers = Math.max(peakArrayBuffers, process.memoryUsage().arrayBuffers - arrayBuffersBefore);
		}

		const elapsed = performance.now() - started;
		console.log(
			`      ${CASES} cases in ${elapsed.toFixed(0)} ms: ${outcomes.parsed} parsed, ${outcomes.rejected} rejected, ` +
				`${outcomes.vectorsParsed} valid control vectors; slowest parse ${slowest.toFixed(1)} ms (${slowestRerun().toFixed(1)} ms re-run); ` +
				`array buffers grew at most ${(peakArrayBuffers / 1e6).toFixed(1)} MB`
		);
		assert.equal(byMutation.size, mutations.length, "every mutation kind was exercised");
		// Both outcomes must be common, or the mutations are not probing the parser.
		assert.ok(outcomes.parsed > CASES / 20, `only ${outcomes.parsed} inputs parsed`);
		assert.ok(outcomes.rejected > CASES / 4, `only ${outcomes.rejected} inputs rejected`);
		assert.ok(outcomes.vectorsParsed > 0, "some corrupted control vectors should still be valid");
		const slowestAgain = slowestRerun();
		assert.ok(
			slowestAgain < 50,
			`the slowest case takes ${slowestAgain.toFixed(1)} ms to parse (first seen at ${slowest.toFixed(1)} ms)`
		);
		// Inputs are at most ~70 KB; an allocation driven by a corrupt count would show up here.
		assert.ok(peakArrayBuffers < 64e6, `array buffers grew by ${peakArrayBuffers} bytes`);
	});
});
