/**
 * The engine as a SteerableModel for strength sweeps and evaluation. Measurements of finished texts
 * run unsteered, so a vector cannot flatter its own output, unless steered log-probabilities are asked
 * for by name (the KL divergence of calibration).
 */
import type { CalibrationOptions } from "../steering/pipeline/calibrateStrength";
import type { RatingJudge } from "../steering/pipeline/rateSteering";
import type { GenerationRequest, SteerableModel } from "../steering/pipeline/steerableModel";
import type { WeightedVector } from "../steering/vector";
import type { EngineClient } from "./client";
import type { ModelInfo } from "./protocol";

/**
 * `chat`: generate as answers in the model's chat template (the prompt is the user's message, after
 * `system` when given), as an instruct model is used; raw text continuations when omitted.
 */
export function engineSteerableModel(
	engine: EngineClient,
	{ chat }: { chat?: { readonly system?: string } } = {}
): SteerableModel {
	return steerableModel(engine, chat, cachedChatPrompt(engine, chat?.system));
}

/**
 * The engine's model as the judge of ratings (rateSteering): asked in its chat template when it has one
 * (its questions a user message of their own, without any system message), unless `plain`; as plain text
 * otherwise.
 */
export function engineRatingJudge(
	engine: EngineClient,
	info: Pick<ModelInfo, "hasChatTemplate">,
	{ plain = false }: { plain?: boolean } = {}
): RatingJudge {
	return info.hasChatTemplate && !plain
		? { model: engineSteerableModel(engine, { chat: {} }), form: "chat" }
		: { model: engineSteerableModel(engine), form: "plain" };
}

/**
 * An instruct model as calibration uses it in chat: the model answering in its template under `system`,
 * and the calibration option that reads each answer back after the request rendered the same way (one
 * rendering per request, shared by both).
 */
export function engineChatCalibration(
	engine: EngineClient,
	system?: string
): { model: SteerableModel; chat: NonNullable<CalibrationOptions["chat"]> } {
	const rendered = cachedChatPrompt(engine, system);
	return {
		model: steerableModel(engine, system === undefined ? {} : { system }, rendered),
		chat: { promptAsRead: rendered, ...(system === undefined ? {} : { system }) }
	};
}

/** Each user message rendered in the template once: calibration scores the same few at every strength. */
function cachedChatPrompt(engine: EngineClient, system: string | undefined): (message: string) => Promise<string> {
	const renderedPrompts = new Map<string, Promise<string>>();
	return (message) => {
		let rendered = renderedPrompts.get(message);
		if (!rendered) {
			rendered = chatPromptText(engine, message, system);
			rendered.catch(() => renderedPrompts.delete(message));
			renderedPrompts.set(message, rendered);
		}
		return rendered;
	};
}

function steerableModel(
	engine: EngineClient,
	chat: { readonly system?: string } | undefined,
	renderedPrompt: (message: string) => Promise<string>
): SteerableModel {
	return {
		async generate(request: GenerationRequest, signal?: AbortSignal): Promise<string> {
			const { prompt, maxTokens, temperature, topP, seed, stop, placement } = request;
			const steering =
				placement === undefined || placement.kind === "all"
					? request.steering
					: request.steering.map((entry) => ({ ...entry, placement }));
			const result = await engine.generate(
				{ prompt, maxTokens, temperature, topP, seed, stop, steering, ...(chat ? { chat } : {}) },
				{ signal }
			);
			return result.text;
		},
		async continuationLogProbs(
			prompt: string,
			continuation: string,
			signal?: AbortSignal,
			options: { readonly steering?: readonly WeightedVector[] } = {}
		): Promise<Float32Array> {
			// In chat mode the continuation is the reply to `prompt` as the user's message, read in the template.
			const context = chat ? await renderedPrompt(prompt) : prompt;
			const [item] = await engine.capture(
				{
					items: [{ text: context + continuation, prompt: context }],
					layers: [0],
					positions: { select: "suffix", mean: true },
					tokenLogProbs: true,
					steering: options.steering ?? [],
					...(chat ? { specialTokens: true } : {})
				},
				{ signal }
			);
			// tokenLogProbs[i] is log p(token i+1 | tokens ..i), so the kept tokens [start, end) are [start-1, end-1).
			const logProbs = item!.tokenLogProbs!;
			return logProbs.slice(item!.start - 1, item!.end - 1);
		}
	};
}

/**
 * The text an instruct model is prompted with for one user message (after `system` when given), in its
 * own template with the answer left open: markup included, so read it with special tokens.
 */
async function chatPromptText(engine: EngineClient, userMessage: string, system?: string): Promise<string> {
	const conversation = [
		...(system === undefined ? [] : [{ role: "system" as const, content: system }]),
		{ role: "user" as const, content: userMessage },
		{ role: "assistant" as const, content: "" }
	];
	const { texts } = await engine.request("formatChats", { conversations: [conversation] });
	return texts[0]!;
}
