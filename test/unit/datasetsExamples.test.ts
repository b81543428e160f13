import assert from "node:assert/strict";
import * as path from "node:path";
import { loadDataset } from "../../src/datasets/storage";

const examples = path.join(__dirname, "..", "..", "examples", "datasets");

describe("datasets: shipped examples", () => {
	for (const fileName of ["happy-sad.jsonl", "dogs-cats.jsonl"]) {
		it(`${fileName} loads cleanly with at least 24 pairs, part of them prompt and completions`, async () => {
			const dataset = await loadDataset(path.join(examples, fileName));
			assert.equal(dataset.name, fileName.replace(".jsonl", ""));
			assert.deepEqual(dataset.warnings, []);
			assert.ok(dataset.pairs.length >= 24, `only ${dataset.pairs.length} pairs`);
			const prompted = dataset.pairs.filter((pair) => pair.prompt !== undefined);
			assert.ok(prompted.length >= 8, `only ${prompted.length} pairs with a prompt`);
			for (const pair of prompted) {
				assert.match(
					pair.positive,
					/^ \S/,
					`completion must start with one space: ${JSON.stringify(pair.positive)}`
				);
				assert.match(
					pair.negative,
					/^ \S/,
					`completion must start with one space: ${JSON.stringify(pair.negative)}`
				);
			}
		});
	}

	it("keeps each concept on its own side", async () => {
		const { pairs: moods } = await loadDataset(path.join(examples, "happy-sad.jsonl"));
		for (const pair of moods) {
			assert.doesNotMatch(pair.positive, /\b(sad|cried|cry|tears)\b/i, pair.positive);
			assert.doesNotMatch(pair.negative, /\b(happy|joy|laughed|smiled|glad)\b/i, pair.negative);
		}
		const { pairs: pets } = await loadDataset(path.join(examples, "dogs-cats.jsonl"));
		for (const pair of pets) {
			assert.match(pair.positive, /\b(dog|puppy|woof)/i, pair.positive);
			assert.doesNotMatch(pair.positive, /\b(cat|kitten|meow)/i, pair.positive);
			assert.match(pair.negative, /\b(cat|kitten|meow)/i, pair.negative);
			assert.doesNotMatch(pair.negative, /\b(dog|puppy|woof)/i, pair.negative);
		}
	});

	it("happy-labelled.jsonl holds labelled examples of both classes, happy words only where the label is 1", async () => {
		const dataset = await loadDataset(path.join(examples, "happy-labelled.jsonl"));
		assert.deepEqual(dataset.warnings, []);
		assert.deepEqual(dataset.pairs, []);
		const positives = dataset.examples.filter((example) => example.label === 1);
		const negatives = dataset.examples.filter((example) => example.label === 0);
		assert.ok(positives.length >= 12 && negatives.length >= 12, `${positives.length} + ${negatives.length}`);
		assert.notEqual(positives.length, negatives.length, "the classes need not match one to one");
		for (const example of dataset.examples) {
			assert.ok(example.prompt !== undefined, "every example has a prompt, so suffix positions work");
			assert.match(example.completion, /^ \S/, `completion must start with one space: ${example.completion}`);
			const happy = /\b(happy|joy|laughed|smiled|smile|glad|giggled|cheered|fun)\b/i.test(example.completion);
			assert.equal(happy, example.label === 1, example.completion);
		}
	});
});
