import assert from "node:assert/strict";
import { lensScale, lensSentence, lensShade, shareBelow } from "../../src/vscode/lens/lensScale";

describe("concept lens: scale and words", () => {
	const scores = [0, 1, 2, 3, 10];

	it("tints by distance from the median in fifths of the largest distance", () => {
		const scale = lensScale(scores);
		assert.deepEqual(scale, { median: 2, spread: 8 });
		assert.deepEqual(lensShade(10, scale), { side: "positive", shade: 4 });
		assert.deepEqual(lensShade(3, scale), { side: "positive", shade: 0 });
		assert.deepEqual(lensShade(0, scale), { side: "negative", shade: 1 });
		assert.deepEqual(lensShade(2, scale), { side: "positive", shade: 0 });
		// A flat text has no spread: every token sits at the median, none is tinted strongly.
		assert.deepEqual(lensShade(5, lensScale([5, 5, 5])), { side: "positive", shade: 0 });
	});

	it("counts how much of the text lies below a token, the token itself left out", () => {
		assert.equal(shareBelow(10, scores), 1);
		assert.equal(shareBelow(0, scores), 0);
		assert.equal(shareBelow(2, scores), 0.5);
		assert.equal(shareBelow(3, [3, 3, 3]), 0.5);
		assert.equal(shareBelow(1, []), 0);
	});

	it("says which side a token is closer to, and than how much of the text", () => {
		assert.equal(
			lensSentence("happy-sad", 10, scores),
			"closer to the positive side of happy-sad than 100% of this text"
		);
		assert.equal(
			lensSentence("happy-sad", 1, scores),
			"closer to the negative side of happy-sad than 75% of this text"
		);
		assert.equal(
			lensSentence("happy-sad", 3, scores),
			"closer to the positive side of happy-sad than 75% of this text"
		);
	});
});
