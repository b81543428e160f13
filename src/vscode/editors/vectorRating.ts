/**
 * The vector viewer's "Compare with asking": AxBench's evaluation of one vector on the loaded model
 * (rateSteering) — the user's requests answered unsteered, steered at the vector's strength, and, on a
 * model that follows requests, unsteered with the concept asked for in the request (the prompt-only
 * baseline) — every answer rated 0–2 for concept, instruction and fluency by the loaded model itself,
 * as `steer rate` does without --judge-model.
 */
import path from "node:path";
import type { EngineClient } from "../../engine/client";
import type { ModelInfo } from "../../engine/protocol";
import { engineRatingJudge, engineSteerableModel } from "../../engine/steerableModel";
import { CALIBRATION_PROMPTS, CHAT_CALIBRATION_PROMPTS } from "../../steering/pipeline/calibrateStrength";
import { RATING_DEFAULTS, rateSteering, type RatedRow } from "../../steering/pipeline/rateSteering";
import type { WeightedVector } from "../../steering/vector";
import { explainPlacement, type SteeringPlacement } from "../../steering/placement";
import type { RatingsView } from "../../shared/vectorViewerProtocol";

/**
 * What the page offers before the user writes requests of their own: calibration's neutral requests
 * (or beginnings, for a model that continues text), three of them to keep the rating to a minute or two.
 */
export function defaultRatingRequests(info: Pick<ModelInfo, "hasChatTemplate">): string[] {
	return (info.hasChatTemplate ? CHAT_CALIBRATION_PROMPTS : CALIBRATION_PROMPTS).slice(0, 3);
}

export interface VectorRatingRequest {
	readonly concept: string;
	/** The system message the answers are asked under (a model with a chat template only). */
	readonly system?: string;
	readonly requests: readonly string[];
	readonly steering: WeightedVector;
	readonly placement?: SteeringPlacement;
	readonly signal?: AbortSignal;
	readonly onProgress?: (done: number, total: number) => void;
}

/** A model loaded in an engine: the one that answers, or a judge of its own (steer.judgeModelPath). */
export interface LoadedEngineModel {
	readonly client: EngineClient;
	readonly info: ModelInfo;
}

/**
 * Rates one vector on the loaded model. The judge is `judge` when given, else the model itself; either is
 * asked in its template when it has one, as a user message of its own (without the answers' system message).
 */
export async function rateVector(
	answering: LoadedEngineModel,
	request: VectorRatingRequest,
	judge: LoadedEngineModel = answering
): Promise<RatingsView> {
	const { client, info } = answering;
	const chat = info.hasChatTemplate;
	const system = chat ? request.system : undefined;
	const model = engineSteerableModel(client, chat ? { chat: system === undefined ? {} : { system } } : {});
	const rows = await rateSteering(model, engineRatingJudge(judge.client, judge.info), {
		concept: request.concept,
		steering: [request.steering],
		...(request.placement && request.placement.kind !== "all" ? { placement: request.placement } : {}),
		prompts: request.requests,
		seeds: Array.from({ length: RATING_DEFAULTS.seeds }, (_, i) => i + 1),
		maxTokens: RATING_DEFAULTS.maxTokens,
		temperature: RATING_DEFAULTS.temperature,
		promptBaseline: chat,
		signal: request.signal,
		onProgress: request.onProgress
	});
	return ratingsView(
		request.concept,
		steeringWords(request.steering, request.placement) +
			(system === undefined ? "" : `, answering under the system message it was calibrated under ("${system}")`),
		request.steering.strength,
		judgeWords(judge === answering ? "the loaded model" : "the judge model", judge.info),
		chat,
		rows
	);
}

/** "the loaded model (SmolLM2 …), asked in its chat template" */
function judgeWords(who: string, info: ModelInfo): string {
	const name = info.name ?? path.basename(info.modelPath);
	return `${who} (${name}), asked ${info.hasChatTemplate ? "in its chat template" : "as plain text"}`;
}

/** "at strength 2, layers 3–5, acting on every token, prompt and answer (llama.cpp's behaviour)" */
function steeringWords(steering: WeightedVector, placement: SteeringPlacement | undefined): string {
	const layers = steering.layerRange ? `, layers ${steering.layerRange[0]}–${steering.layerRange[1]}` : "";
	return `at strength ${steering.strength}${layers}, acting on ${explainPlacement(placement ?? { kind: "all" })}`;
}

export function ratingsView(
	concept: string,
	steering: string,
	strength: number,
	judge: string,
	promptBaseline: boolean,
	rows: readonly RatedRow[]
): RatingsView {
	return {
		concept,
		strength,
		steering,
		judge,
		promptBaseline,
		rows: rows.map((row) => ({
			condition: row.condition,
			score: row.score,
			mean: { ...row.mean },
			samples: row.samples.map((sample) => ({
				prompt: sample.prompt,
				text: sample.text,
				score: sample.score,
				ratings: {
					concept: sample.ratings.concept.rating,
					instruction: sample.ratings.instruction.rating,
					fluency: sample.ratings.fluency.rating
				}
			}))
		}))
	};
}
