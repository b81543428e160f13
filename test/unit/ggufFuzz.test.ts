import assert from "node:assert/strict";
import { readControlVector } from "../../src/steering/gguf/controlVector";
import { GgufFormatError } from "../../src/steering/gguf/errors";
import { readGguf } from "../../src/steering/gguf/reader";
import { baseFiles, drawFuzzCase, headerEndOf, mutations } from "../fixtures/gguf/fuzzCorpus";
import { seededRandom } from "./fixtures/rawGguf";

/**
 * Feeds thousands of corrupted GGUF files to the readers. The contract under test: every input
 * either parses or fails with GgufFormatError — no other exception, no hang, no allocation beyond
 * the input's size. Cases are generated from a fixed seed, so a failure names a reproducible case.
 * How long the slowest case takes is measured by `npm run bench:gguf`, not asserted here.
 */

// Overridable for longer hunts, e.g. STEER_FUZZ_CASES=500000 STEER_FUZZ_SEED=7.
const CASES = Number(process.env["STEER_FUZZ_CASES"] ?? 10_000);
const SEED = Number(process.env["STEER_FUZZ_SEED"] ?? 0x5eed);

describe("GGUF reader fuzz", function () {
	this.timeout(Math.max(30_000, CASES * 5));

	it(`turns ${CASES} corrupted inputs into a parse or a GgufFormatError, within memory`, () => {
		const bases = baseFiles();
		const headerEnds = bases.map(headerEndOf);
		const random = seededRandom(SEED);
		const outcomes = { parsed: 0, rejected: 0, vectorsParsed: 0 };
		const byMutation = new Map<string, number>();
		let peakArrayBuffers = 0;
		const arrayBuffersBefore = process.memoryUsage().arrayBuffers;

		const attempt = (label: string, parse: () => unknown): boolean => {
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
			}
		};

		for (let n = 0; n < CASES; n++) {
			const { label, mutation, input } = drawFuzzCase(bases, headerEnds, random, n, SEED);
			byMutation.set(mutation, (byMutation.get(mutation) ?? 0) + 1);
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

		console.log(
			`      ${CASES} cases: ${outcomes.parsed} parsed, ${outcomes.rejected} rejected, ` +
				`${outcomes.vectorsParsed} valid control vectors; array buffers grew at most ${(peakArrayBuffers / 1e6).toFixed(1)} MB`
		);
		assert.equal(byMutation.size, mutations.length, "every mutation kind was exercised");
		// Both outcomes must be common, or the mutations are not probing the parser.
		assert.ok(outcomes.parsed > CASES / 20, `only ${outcomes.parsed} inputs parsed`);
		assert.ok(outcomes.rejected > CASES / 4, `only ${outcomes.rejected} inputs rejected`);
		assert.ok(outcomes.vectorsParsed > 0, "some corrupted control vectors should still be valid");
		// Inputs are at most ~70 KB; an allocation driven by a corrupt count would show up here.
		assert.ok(peakArrayBuffers < 64e6, `array buffers grew by ${peakArrayBuffers} bytes`);
	});
});
