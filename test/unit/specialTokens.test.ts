import assert from "node:assert/strict";
import { generationStops, isSpecialMarkup, looksLikeEndMarker } from "../../src/engine/specialTokens";

describe("special tokens that end generation", () => {
	it("recognizes the end markers of common vocabularies by their text", () => {
		for (const text of [
			"</s>",
			"<|endoftext|>",
			"<|end_story|>",
			"<|im_end|>",
			"<end_of_turn>",
			"<|eot_id|>",
			"<|eom_id|>",
			"<EOT>",
			"<eos>",
			"<|end|>",
			"<｜end▁of▁sentence｜>",
			"<|END_OF_TURN_TOKEN|>",
			"<|end_of_text|>"
		])
			assert.equal(looksLikeEndMarker(text), true, text);
	});

	it("does not take other special tokens, or ordinary text, for end markers", () => {
		for (const text of [
			"<s>",
			"<|start_story|>",
			"<|im_start|>",
			"<|end_header_id|>",
			"<|end_of_role|>",
			"<unk>",
			"[PAD]",
			"<|fim_prefix|>",
			"end",
			"the end",
			"<0x0A>",
			"</think>",
			"</span>",
			"<|reserved_special_token_3|>"
		])
			assert.equal(looksLikeEndMarker(text), false, text);
	});

	it("counts only markup-shaped texts as special text", () => {
		assert.equal(isSpecialMarkup("<|im_start|>"), true);
		assert.equal(isSpecialMarkup("[CLS]"), true);
		assert.equal(isSpecialMarkup("\n"), false);
		assert.equal(isSpecialMarkup("<>"), false);
		assert.equal(isSpecialMarkup("a < b > c"), false);
	});

	it("TinyStories: its EOS text ends generation when spelled out; <|start_story|> too; <unk> is left alone", () => {
		// TinyStories-656K: control tokens <unk> 0, <|start_story|> 1 (BOS) and <|end_story|> 2 (EOS).
		const stops = generationStops([
			{ id: 0, text: "<unk>", eog: false },
			{ id: 1, text: "<|start_story|>", eog: false },
			{ id: 2, text: "<|end_story|>", eog: true }
		]);
		assert.deepEqual(stops.stopTokens, [], "EOS is already end of generation for node-llama-cpp");
		assert.deepEqual(stops.endTexts, ["<|end_story|>"]);
		assert.deepEqual(stops.stopTexts, ["<|end_story|>", "<|start_story|>"]);
	});

	it("stops at a control token whose text names an end even when the tokenizer did not mark it end of generation", () => {
		const stops = generationStops([
			{ id: 1, text: "<s>", eog: false },
			{ id: 2, text: "</s>", eog: true },
			{ id: 32000, text: "<|endoftext|>", eog: false },
			{ id: 32001, text: "<|im_start|>", eog: false },
			{ id: 32002, text: "<|im_end|>", eog: false }
		]);
		assert.deepEqual(stops.stopTokens, [32000, 32002]);
		assert.deepEqual(stops.endTexts, ["</s>", "<|endoftext|>", "<|im_end|>"]);
		assert.deepEqual(
			stops.stopTexts,
			["</s>", "<|endoftext|>", "<|im_end|>", "<|im_start|>"],
			"<s> could be HTML: it is not a stop text"
		);
	});

	it("takes user-defined tokens as special only when shaped <|...|>", () => {
		const stops = generationStops([
			{ id: 10, text: "</s>", eog: false, userDefined: true },
			{ id: 11, text: "<table>", eog: false, userDefined: true },
			{ id: 12, text: "<|im_end|>", eog: false, userDefined: true }
		]);
		assert.deepEqual(stops.stopTokens, [12]);
		assert.deepEqual(stops.stopTexts, ["<|im_end|>"]);
	});

	it("an end-of-generation token with plain text (a newline) ends generation as a token, never as text", () => {
		const stops = generationStops([{ id: 13, text: "\n", eog: true }]);
		assert.deepEqual(stops.stopTokens, []);
		assert.deepEqual(stops.stopTexts, []);
	});
});
