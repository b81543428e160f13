import assert from "node:assert/strict";
import type * as NodeLlamaCpp from "node-llama-cpp";
import { applyChatTemplate } from "../../src/datasets/generators/chatTemplate";
import { createChatFormatter, type ChatWrapperLike } from "../../src/engine/process/chatFormatter";

describe("engine: chat formatter from node-llama-cpp wrappers", () => {
	let llama: typeof NodeLlamaCpp;

	before(async () => {
		llama = await import("node-llama-cpp");
	});

	it("renders ChatML with its special tokens, the answer left open and BOS dropped", () => {
		const format = createChatFormatter(new llama.ChatMLChatWrapper());
		assert.equal(
			format([
				{ role: "system", content: "Be nice." },
				{ role: "user", content: "Tell me a story." },
				{ role: "assistant", content: "Once upon" }
			]),
			"<|im_start|>system\nBe nice.<|im_end|>\n<|im_start|>user\nTell me a story.<|im_end|>\n<|im_start|>assistant\nOnce upon"
		);
	});

	it("renders Llama 3 headers and works with applyChatTemplate", () => {
		const format = createChatFormatter(new llama.Llama3ChatWrapper());
		const [pair] = applyChatTemplate(
			[{ prompt: "How do you feel?", positive: " I am happy.", negative: " I am sad." }],
			format
		);
		assert.deepEqual(pair, {
			prompt: "<|start_header_id|>user<|end_header_id|>\n\nHow do you feel?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n",
			positive: "I am happy.",
			negative: "I am sad."
		});
	});

	it("refuses built-in special tokens other than BOS unless told how to write them", () => {
		const history = [
			{ role: "user" as const, content: "Hi" },
			{ role: "assistant" as const, content: "Hello" },
			{ role: "user" as const, content: "Again" },
			{ role: "assistant" as const, content: "" }
		];
		const wrapper = new llama.Llama2ChatWrapper();
		assert.throws(
			() => createChatFormatter(wrapper)(history),
			/special token EOS, which has no text form; pass renderSpecialToken/
		);
		const format = createChatFormatter(wrapper, { renderSpecialToken: (token) => `<${token}>` });
		assert.equal(format(history), "<BOS>[INST] Hi [/INST] Hello<EOS><BOS>[INST] Again [/INST] ");
	});

	it("accepts any object shaped like a wrapper, including one rendering plain text", () => {
		const plain: ChatWrapperLike = {
			generateContextState: ({ chatHistory }) =>
				({
					contextText: llama.LlamaText(chatHistory.map((item) => (item.type === "user" ? item.text : "")))
				}) as ReturnType<ChatWrapperLike["generateContextState"]>
		};
		assert.equal(
			createChatFormatter(plain)([
				{ role: "user", content: "just text" },
				{ role: "assistant", content: "" }
			]),
			"just text"
		);
	});
});
