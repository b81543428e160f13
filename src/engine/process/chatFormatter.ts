import type { ChatHistoryItem, ChatWrapper, LlamaModel } from "node-llama-cpp";
import type { ChatMessage } from "../protocol";

/** Renders one conversation as the exact text the model is prompted with. */
export type ChatFormatter = (messages: readonly ChatMessage[]) => string;

/** The part of node-llama-cpp's `ChatWrapper` that rendering needs; any of its chat wrappers fits. */
export type ChatWrapperLike = Pick<ChatWrapper, "generateContextState">;

export interface ChatFormatterOptions {
	/**
	 * Text for a built-in special token ("BOS", "EOS", "NL"…) found in the rendered template. By default
	 * BOS becomes nothing, because llama.cpp's tokenizer adds BOS itself for models that want one, and
	 * any other such token is an error, since guessing its text would silently corrupt the prompt.
	 */
	readonly renderSpecialToken?: (token: string) => string;
}

/**
 * Builds a `ChatFormatter` from a node-llama-cpp chat wrapper (`ChatMLChatWrapper`,
 * `Llama3ChatWrapper`, the wrapper `resolveChatWrapper` picks for a model…). The returned text holds
 * the template's special tokens as text, such as "<|im_start|>", so it must be tokenized with
 * special-token parsing enabled. The wrapper leaves the final assistant turn open, which is what
 * contrast completions need.
 */
export function createChatFormatter(chatWrapper: ChatWrapperLike, options: ChatFormatterOptions = {}): ChatFormatter {
	const renderSpecialToken = options.renderSpecialToken ?? dropBeginningOfSequence;
	return (messages) => {
		const { contextText } = chatWrapper.generateContextState({ chatHistory: toChatHistory(messages) });
		const json = contextText.toJSON();
		if (typeof json === "string") return json;
		return json
			.map((value) => {
				if (typeof value === "string") return value;
				return value.type === "specialTokensText" ? value.value : renderSpecialToken(value.value);
			})
			.join("");
	};
}

function dropBeginningOfSequence(token: string): string {
	if (token === "BOS") return "";
	throw new Error(
		`The chat template contains the special token ${token}, which has no text form; pass renderSpecialToken to createChatFormatter to say how to write it.`
	);
}

function toChatHistory(messages: readonly ChatMessage[]): ChatHistoryItem[] {
	return messages.map((message): ChatHistoryItem => {
		switch (message.role) {
			case "system":
				return { type: "system", text: message.content };
			case "user":
				return { type: "user", text: message.content };
			case "assistant":
				return { type: "model", response: message.content === "" ? [] : [message.content] };
		}
	});
}

/**
 * The text a chat model is prompted with for one user message (after an optional system message),
 * in the template node-llama-cpp resolves for `model`, its answer left open. Holds special-token
 * markup: tokenize it with special tokens enabled.
 */
export async function chatPrompt(
	model: LlamaModel,
	userMessage: string,
	system?: string
): Promise<{ text: string; wrapper: string }> {
	const { resolveChatWrapper } = await import("node-llama-cpp");
	const wrapper = resolveChatWrapper(model);
	const messages: ChatMessage[] = [
		...(system === undefined ? [] : [{ role: "system" as const, content: system }]),
		{ role: "user", content: userMessage },
		{ role: "assistant", content: "" }
	];
	return { text: createChatFormatter(wrapper)(messages), wrapper: wrapper.wrapperName };
}
