import assert from "node:assert/strict";
import { StopSequenceStream } from "../../src/engine/stopSequences";

function run(stops: string[], chunks: string[]) {
	const emitted: string[] = [];
	const stream = new StopSequenceStream(stops, (text) => emitted.push(text));
	let stoppedAt = -1;
	chunks.forEach((chunk, i) => {
		if (stream.push(chunk) && stoppedAt < 0) stoppedAt = i;
	});
	return { text: stream.finish(), emitted, stopped: stream.stopped, stoppedAt };
}

describe("stop sequences on a text stream", () => {
	it("cuts at the first stop sequence, even when it spans chunks, and never emits part of it", () => {
		const result = run(["\n\n", "THE END"], ["Lily ran", " home.\n", "\nShe slept."]);
		assert.equal(result.text, "Lily ran home.");
		assert.deepEqual(result.emitted.join(""), "Lily ran home.");
		assert.ok(!result.emitted.some((text) => text.includes("\n")));
		assert.equal(result.stopped, true);
		assert.equal(result.stoppedAt, 2);
	});

	it("picks the earliest of several stop sequences", () => {
		assert.equal(run(["B", "A"], ["xxAyyB"]).text, "xx");
	});

	it("emits everything when no stop sequence appears, holding back only a possible prefix until the end", () => {
		const seen: string[] = [];
		const stream = new StopSequenceStream(["END"], (text) => seen.push(text));
		assert.equal(stream.push("the E"), false);
		assert.equal(seen.join(""), "the ", "a possible start of the stop sequence was emitted early");
		assert.equal(stream.push("N"), false);
		assert.equal(stream.push("d of it"), false);
		assert.equal(stream.finish(), "the ENd of it");
		assert.equal(seen.join(""), "the ENd of it");
		assert.equal(stream.stopped, false);
	});

	it("takes the last text at the end and still cuts at a stop sequence in it", () => {
		const stream = new StopSequenceStream(["."], () => undefined);
		stream.push("Lily ran");
		assert.equal(stream.finish(" home. Then"), "Lily ran home");
		assert.equal(stream.stopped, true);
	});

	it("holds back only a tail that begins a stop sequence, and says which stop sequence ended the stream", () => {
		const seen: string[] = [];
		const stream = new StopSequenceStream(["<|end_story|>", "</s>"], (text) => seen.push(text));
		assert.equal(stream.push("Tom was happy."), false);
		assert.equal(seen.join(""), "Tom was happy.", "text that begins no stop sequence was held back");
		assert.equal(stream.push(" <|"), false);
		assert.equal(seen.join(""), "Tom was happy. ");
		assert.equal(stream.push("end"), false);
		assert.equal(stream.push("_story|> Once"), true);
		assert.equal(stream.stoppedBy, "<|end_story|>");
		assert.equal(stream.finish(), "Tom was happy. ");
		assert.equal(seen.join(""), "Tom was happy. ");
	});

	it("finds a stop sequence that starts in text pushed long before, among many stop sequences", () => {
		const stops = Array.from({ length: 300 }, (_, i) => `<|reserved_${i}|>`);
		const stream = new StopSequenceStream(stops, () => undefined);
		for (let i = 0; i < 200; i++) stream.push("word ");
		for (const character of "<|reserved_299|>") stream.push(character);
		assert.equal(stream.stopped, true);
		assert.equal(stream.stoppedBy, "<|reserved_299|>");
		assert.equal(stream.finish(), "word ".repeat(200));
	});

	it("passes text straight through without stop sequences", () => {
		const result = run([], ["a", "b", "c"]);
		assert.deepEqual(result.emitted, ["a", "b", "c"]);
		assert.equal(result.text, "abc");
	});
});
