import assert from "node:assert/strict";
import { readVectorViewerMessage } from "../../src/shared/vectorViewerProtocol";
import { MESSAGE_LIMITS } from "../../src/shared/webviewProtocol/messages";

function problem(raw: unknown): string {
	const result = readVectorViewerMessage(raw);
	assert.equal(result.ok, false, `expected ${JSON.stringify(raw)?.slice(0, 80)} to be refused`);
	return result.ok ? "" : result.problem;
}

describe("vector viewer protocol: comparing with asking", () => {
	it("accepts a concept and requests, trimmed, and a stop", () => {
		const result = readVectorViewerMessage({
			type: "rate",
			concept: "  the sea ",
			requests: [" Tell me a story. "]
		});
		assert.ok(result.ok, result.ok ? "" : result.problem);
		assert.deepEqual(result.message, { type: "rate", concept: "the sea", requests: ["Tell me a story."] });
		assert.ok(readVectorViewerMessage({ type: "stopRating" }).ok);
	});

	it("refuses an empty, multi-line or overlong concept, with the field named", () => {
		const rate = (concept: unknown) => ({ type: "rate", concept, requests: ["Hi"] });
		assert.equal(problem(rate("  ")), "concept: concept must say what the vector should bring out, e.g. the sea");
		assert.equal(problem(rate("the sea\nand sand")), "concept: concept must be a single line");
		assert.equal(
			problem(rate("x".repeat(MESSAGE_LIMITS.maxConceptLength + 1))),
			`concept: concept is longer than ${MESSAGE_LIMITS.maxConceptLength} characters`
		);
		assert.equal(problem(rate(3)), "concept: concept must be a string");
	});

	it("refuses no requests, too many, an empty one and an overlong one", () => {
		const rate = (requests: unknown) => ({ type: "rate", concept: "the sea", requests });
		assert.equal(problem(rate([])), "requests: give at least one request to answer");
		assert.equal(
			problem(rate(Array.from({ length: MESSAGE_LIMITS.maxRatingRequests + 1 }, () => "Hi"))),
			`requests: give at most ${MESSAGE_LIMITS.maxRatingRequests} requests`
		);
		assert.equal(problem(rate(["Hi", " "])), "requests.1: a request is empty");
		assert.equal(
			problem(rate(["x".repeat(MESSAGE_LIMITS.maxRatingRequestLength + 1)])),
			`requests.0: a request is longer than ${MESSAGE_LIMITS.maxRatingRequestLength} characters`
		);
		assert.equal(problem(rate("Hi")), "requests: requests must be a list");
	});
});
