import assert from "node:assert/strict";
import {
	applyChatTemplate,
	planChatTemplate,
	rawTextProblem,
	renderPairsAsChats,
	type ChatMessage
} from "../../src/datasets/generators/chatTemplate";
import { personaPairs } from "../../src/datasets/generators/personaPairs";
import { promptPair } from "../../src/datasets/generators/promptPair";
import { splitIntoWordPieces, truncationSuffixes } from "../../src/datasets/generators/truncationSuffixes";
import { validatePairs } from "../../src/datasets/validatePairs";

/** A transparent template that makes the message structure visible in the text. */
const bracketFormat = (messages: readonly ChatMessage[]) =>
	messages
		.map((message, index) =>
			index === messages.length - 1 && message.role === "assistant"
				? `<${message.role}>${message.content}`
				: `<${message.role}>${message.content}</${message.role}>`
		)
		.join("");

describe("datasets: persona pairs", () => {
	it("crosses every persona pair with every suffix, suffix first", () => {
		const pairs = personaPairs({
			template: "Act as if you're extremely {persona}.",
			positive: ["happy", "joyful"],
			negative: ["sad", "miserable"],
			suffixes: ["I", "I feel"]
		});
		assert.deepEqual(pairs, [
			{
				positive: "Act as if you're extremely happy. I",
				negative: "Act as if you're extremely sad. I",
				label: "happy vs sad"
			},
			{
				positive: "Act as if you're extremely joyful. I",
				negative: "Act as if you're extremely miserable. I",
				label: "joyful vs miserable"
			},
			{
				positive: "Act as if you're extremely happy. I feel",
				negative: "Act as if you're extremely sad. I feel",
				label: "happy vs sad"
			},
			{
				positive: "Act as if you're extremely joyful. I feel",
				negative: "Act as if you're extremely miserable. I feel",
				label: "joyful vs miserable"
			}
		]);
		assert.equal(validatePairs(pairs, "generated").pairs.length, 4);
	});

	it("keeps a shared prompt, a chosen separator, and an empty suffix as the bare statement", () => {
		assert.deepEqual(
			personaPairs({
				template: "You are {persona}.",
				positive: ["kind"],
				negative: ["mean"],
				suffixes: ["", "Well"],
				prompt: "[INST] ",
				separator: " [/INST] "
			}),
			[
				{ prompt: "[INST] ", positive: "You are kind.", negative: "You are mean.", label: "kind vs mean" },
				{
					prompt: "[INST] ",
					positive: "You are kind. [/INST] Well",
					negative: "You are mean. [/INST] Well",
					label: "kind vs mean"
				}
			]
		);
	});

	it("renders the statement as the user turn and the suffix as the answer in chat mode", () => {
		const [pair] = personaPairs({
			template: "Be {persona}.",
			positive: ["calm"],
			negative: ["angry"],
			suffixes: ["Sure"],
			chat: { format: bracketFormat, systemPrompt: "sys" }
		});
		assert.deepEqual(pair, {
			positive: "<system>sys</system><user>Be calm.</user><assistant>Sure",
			negative: "<system>sys</system><user>Be angry.</user><assistant>Sure",
			label: "calm vs angry"
		});
	});

	it("rejects templates without a placeholder, unequal persona lists, no suffixes and prompt with chat", () => {
		const base = { template: "Be {persona}.", positive: ["a"], negative: ["b"], suffixes: ["x"] };
		assert.throws(() => personaPairs({ ...base, template: "Be happy." }), /has no \{persona\} placeholder/);
		assert.throws(() => personaPairs({ ...base, negative: ["b", "c"] }), /got 1 positive and 2 negative/);
		assert.throws(() => personaPairs({ ...base, positive: [], negative: [] }), /non-empty and equally long/);
		assert.throws(() => personaPairs({ ...base, suffixes: [] }), /At least one suffix/);
		assert.throws(
			() => personaPairs({ ...base, prompt: "p", chat: { format: bracketFormat } }),
			/chat\.systemPrompt/
		);
	});
});

describe("datasets: truncation suffixes", () => {
	it("cuts texts between words by default, each piece keeping its leading whitespace", () => {
		assert.deepEqual(splitIntoWordPieces("I  think so.\n"), ["I", "  think", " so."]);
		assert.deepEqual(truncationSuffixes(["I think so.", "I am here", "   "]), [
			"I",
			"I think",
			"I think so.",
			"I am",
			"I am here"
		]);
	});

	it("uses the given tokenizer's pieces", () => {
		const characters = (text: string) => [...text];
		assert.deepEqual(truncationSuffixes(["ab", "ac"], characters), ["a", "ab", "ac"]);
		assert.deepEqual(
			truncationSuffixes([" Hi"], () => [" ", "Hi"]),
			[" Hi"]
		);
	});
});

describe("datasets: ActAdd prompt pair", () => {
	it("pads the shorter prompt at its end to the same length in characters by default", () => {
		assert.deepEqual(promptPair("Love", "Hate"), { positive: "Love", negative: "Hate" });
		assert.deepEqual(promptPair("Love", "Hatred"), { positive: "Love  ", negative: "Hatred" });
		assert.deepEqual(promptPair("Anger", "Calm", { padWith: "_" }), { positive: "Anger", negative: "Calm_" });
		assert.deepEqual(promptPair("😀", "ab"), { positive: "😀 ", negative: "ab" });
	});

	it("pads by the given token count", () => {
		const countWords = (text: string) => text.split(" ").length;
		assert.deepEqual(
			promptPair("I talk about weddings constantly", "I do not talk about weddings", {
				countTokens: countWords,
				padWith: " x"
			}),
			{
				positive: "I talk about weddings constantly x",
				negative: "I do not talk about weddings"
			}
		);
	});

	it("fails clearly when padding cannot reach the same length", () => {
		const mergesSpaces = (text: string) => text.trimEnd().length + (text.endsWith(" ") ? 1 : 0);
		assert.throws(() => promptPair("a", "abcd", { countTokens: mergesSpaces }), /does not lengthen it to 4 tokens/);
		assert.throws(() => promptPair("a", "ab", { padWith: "xy" }), /overshoots 2 tokens \(reaches 3\)/);
		assert.throws(() => promptPair("same", "same"), /two different prompts/);
		assert.throws(() => promptPair("", "x"), /must be non-empty/);
		assert.throws(() => promptPair("a", "b", { padWith: "" }), /padWith must not be empty/);
	});
});

describe("datasets: chat template application", () => {
	it("turns a prompt into the user turn and keeps the rendered prefix as the prompt", () => {
		const pairs = applyChatTemplate(
			[
				{
					prompt: "Tell a story.",
					positive: " Lily was happy.",
					negative: " Lily was sad.",
					label: "mood",
					id: "1"
				}
			],
			bracketFormat,
			{ systemPrompt: "sys" }
		);
		assert.deepEqual(pairs, [
			{
				prompt: "<system>sys</system><user>Tell a story.</user><assistant>",
				positive: "Lily was happy.",
				negative: "Lily was sad.",
				label: "mood",
				id: "1"
			}
		]);
	});

	it("makes promptless texts user turns with an open, empty answer", () => {
		assert.deepEqual(applyChatTemplate([{ positive: "Love", negative: "Hate" }], bracketFormat), [
			{ positive: "<user>Love</user><assistant>", negative: "<user>Hate</user><assistant>" }
		]);
	});

	it("returns full texts when the rendered prompt is not a prefix of the rendered answers", () => {
		const answerCounted = (messages: readonly ChatMessage[]) =>
			`${messages.at(-1)!.content.length}|${bracketFormat(messages)}`;
		assert.deepEqual(applyChatTemplate([{ prompt: "Q", positive: "yes", negative: "no" }], answerCounted), [
			{ positive: "3|<user>Q</user><assistant>yes", negative: "2|<user>Q</user><assistant>no" }
		]);
	});

	it("plans the conversations for a renderer elsewhere and assembles the same pairs", () => {
		const pairs = [
			{ prompt: "Q1", positive: " yes", negative: " no", id: "a" },
			{ positive: "Love", negative: "Hate" }
		];
		const plan = planChatTemplate(pairs, { systemPrompt: "sys" });
		assert.equal(plan.conversations.length, 5, "three conversations for a pair with a prompt, two without");
		assert.deepEqual(plan.conversations[1], [
			{ role: "system", content: "sys" },
			{ role: "user", content: "Q1" },
			{ role: "assistant", content: "yes" }
		]);
		assert.deepEqual(
			plan.assemble(plan.conversations.map(bracketFormat)),
			applyChatTemplate(pairs, bracketFormat, { systemPrompt: "sys" })
		);
		assert.throws(() => plan.assemble(["only one"]), /expected 5 rendered conversations, got 1/);
	});

	it("gives a pair's own system message precedence over the default one", () => {
		const plan = planChatTemplate(
			[
				{ system: "Be formal.", prompt: "Q", positive: "Good day.", negative: "hey" },
				{ prompt: "Q", positive: "a", negative: "b" }
			],
			{ systemPrompt: "default" }
		);
		assert.deepEqual(
			plan.conversations.map((conversation) => conversation[0]),
			[
				{ role: "system", content: "Be formal." },
				{ role: "system", content: "Be formal." },
				{ role: "system", content: "Be formal." },
				{ role: "system", content: "default" },
				{ role: "system", content: "default" },
				{ role: "system", content: "default" }
			]
		);
		const [pair] = plan.assemble(plan.conversations.map(bracketFormat));
		assert.equal(pair!.system, undefined, "the rendered pair holds its system message inside its texts");
		assert.equal(pair!.prompt, "<system>Be formal.</system><user>Q</user><assistant>");
	});

	it("renders pairs in one batch through a renderer elsewhere", async () => {
		const batches: number[] = [];
		const rendered = await renderPairsAsChats(
			[{ prompt: "Q", positive: " yes", negative: " no", label: "l" }],
			async (conversations) => {
				batches.push(conversations.length);
				return { texts: conversations.map(bracketFormat), wrapper: "Bracket" };
			}
		);
		assert.deepEqual(batches, [3], "one request for the whole dataset");
		assert.deepEqual(rendered, {
			wrapper: "Bracket",
			pairs: [{ prompt: "<user>Q</user><assistant>", positive: "yes", negative: "no", label: "l" }]
		});
	});

	it("names the pairs that cannot be trained as raw text", () => {
		assert.equal(rawTextProblem([{ positive: "a", negative: "b", prompt: "p" }]), undefined);
		assert.equal(
			rawTextProblem([
				{ positive: "a", negative: "b", system: "s" },
				{ positive: "c", negative: "d" }
			]),
			'1 of 2 pairs have a "system" message, which only a chat template can carry'
		);
	});
});
