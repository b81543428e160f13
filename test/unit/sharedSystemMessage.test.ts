import assert from "node:assert/strict";
import { sharedSystemMessage } from "../../src/datasets";

describe("the system message a dataset's pairs share", () => {
	const pair = (system?: string) => ({ positive: "a", negative: "b", ...(system === undefined ? {} : { system }) });

	it("is the one every pair carries", () => {
		assert.equal(sharedSystemMessage([pair("You are a pirate."), pair("You are a pirate.")]), "You are a pirate.");
	});

	it("is none when a pair lacks it, when they differ, when it is blank, or when there are no pairs", () => {
		assert.equal(sharedSystemMessage([pair("You are a pirate."), pair()]), undefined);
		assert.equal(sharedSystemMessage([pair(), pair("You are a pirate.")]), undefined);
		assert.equal(sharedSystemMessage([pair("You are a pirate."), pair("You are a poet.")]), undefined);
		assert.equal(sharedSystemMessage([pair("  "), pair("  ")]), undefined);
		assert.equal(sharedSystemMessage([]), undefined);
	});
});
