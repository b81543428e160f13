import assert from "node:assert/strict";
import { parseCommandArgs, parseNumber, UsageError } from "../../src/cli/args";
import { MAX_VECTOR_SCALE, parseVectorOption } from "../../src/cli/vectorOption";

const usage = (message: string) => (error: unknown) => error instanceof UsageError && error.message === message;

describe("CLI --vector FILE[:S] with paths that contain ':'", () => {
	const only =
		(...files: string[]) =>
		(file: string) =>
			files.includes(file);

	it("uses the whole text as the file when a file has that name, even if it ends in :number", () => {
		assert.deepEqual(parseVectorOption("runs/v.gguf:2", only("runs/v.gguf:2")), {
			file: "runs/v.gguf:2",
			scale: 1
		});
		assert.deepEqual(parseVectorOption("runs/v.gguf:2", only("runs/v.gguf")), { file: "runs/v.gguf", scale: 2 });
	});

	it("says the scale is not a number when the text before the last ':' is the vector file", () => {
		assert.throws(
			() => parseVectorOption("V.gguf:abc", only("V.gguf")),
			usage('scale "abc" in --vector V.gguf:abc is not a number')
		);
		assert.throws(
			() => parseVectorOption("V.gguf:abc", only()),
			usage('scale "abc" in --vector V.gguf:abc is not a number'),
			"a .gguf name before the ':' is a file name"
		);
		assert.throws(
			() => parseVectorOption("V.gguf:", only("V.gguf")),
			usage("--vector V.gguf: has nothing after the ':'; write FILE.gguf:S with a number S, or leave the ':' out")
		);
	});

	it("keeps names whose last ':' is part of the name as files (then reported as not found)", () => {
		assert.deepEqual(parseVectorOption("notes:happy", only()), { file: "notes:happy", scale: 1 });
		assert.deepEqual(parseVectorOption("C:\\vectors\\happy.gguf", only()), {
			file: "C:\\vectors\\happy.gguf",
			scale: 1
		});
		assert.deepEqual(parseVectorOption("dir:with:colons/v.gguf", only()), {
			file: "dir:with:colons/v.gguf",
			scale: 1
		});
	});

	it(`refuses non-finite scales and scales beyond ±${MAX_VECTOR_SCALE}`, () => {
		assert.deepEqual(parseVectorOption(`V.gguf:-${MAX_VECTOR_SCALE}`, only("V.gguf")), {
			file: "V.gguf",
			scale: -MAX_VECTOR_SCALE
		});
		assert.throws(
			() => parseVectorOption("V.gguf:1e999", only("V.gguf")),
			usage("scale 1e999 in --vector V.gguf:1e999 is not a finite number")
		);
		assert.throws(
			() => parseVectorOption("V.gguf:1e30", only("V.gguf")),
			usage(
				"scale 1e30 in --vector V.gguf:1e30 is out of range: scales go from -100 to 100 (1 is a trained vector's full push; far beyond it the model writes garbage or nothing)"
			)
		);
		assert.throws(() => parseVectorOption("V.gguf:-100.5", only("V.gguf")), /out of range/);
	});
});

describe("CLI option values", () => {
	const options = {
		temperature: { type: "string" },
		prompt: { type: "string", short: "p" },
		json: { type: "boolean" }
	} as const;

	it("takes negative numbers as values, so the range check can say what is allowed", () => {
		assert.deepEqual(
			{ ...parseCommandArgs(["--temperature", "-1", "-p", "-0.5"], options) },
			{ temperature: "-1", prompt: "-0.5" }
		);
		assert.throws(
			() => parseNumber("-1", "temperature", { min: 0 }),
			usage('--temperature must be a number ≥ 0, got "-1"')
		);
	});

	it("names a missing value, an option in its place, and how to give a value starting with '-'", () => {
		assert.throws(() => parseCommandArgs(["--temperature"], options), usage("--temperature needs a value"));
		assert.throws(
			() => parseCommandArgs(["--prompt", "--json"], options),
			usage("--prompt needs a value, but is followed by the option --json")
		);
		assert.throws(
			() => parseCommandArgs(["--prompt", "-x"], options),
			usage(
				'--prompt needs a value, but is followed by "-x"; to give a value starting with "-", write --prompt=-x'
			)
		);
		assert.deepEqual({ ...parseCommandArgs(["--prompt=-x", "--json"], options) }, { prompt: "-x", json: true });
	});

	it("states the allowed range of a number", () => {
		assert.throws(
			() => parseNumber("5", "top-p", { min: 0, max: 1 }),
			usage('--top-p must be a number from 0 to 1, got "5"')
		);
		assert.throws(
			() => parseNumber("1.5", "seed", { integer: true, min: 0 }),
			usage('--seed must be a whole number ≥ 0, got "1.5"')
		);
		assert.throws(() => parseNumber("x", "scale"), usage('--scale must be a number, got "x"'));
		assert.equal(parseNumber("1", "top-p", { min: 0, max: 1 }), 1);
	});
});
