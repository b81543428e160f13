/**
 * The playground's strength sweep: generates at each strength the panel asked for with the chosen
 * vector, measures effect and fluency (`sweepStrengths`), and turns the result into the table the panel
 * shows. One sweep at a time; a new one or Stop aborts the running one.
 */
import { engineSteerableModel } from "../../engine/steerableModel";
import { sweepStrengths, type StrengthSweepResult } from "../../steering/pipeline/strengthSweep";
import type { SteeringVector } from "../../steering/vector";
import type { SweepView, WebviewToHost } from "../../shared/webviewProtocol/messages";
import type { EngineService } from "../engine/engineService";
import { UserFacingError } from "../failures";
import type { SteeringController } from "../steering/steeringController";
import type { VectorLibrary } from "../steering/vectorLibrary";

export type SweepRequest = Omit<Extract<WebviewToHost, { type: "sweepStrengths" }>, "type">;

/**
 * Two seeds: one sample per strength is too noisy to call a strength fluent or broken, and every seed
 * costs a generation and a perplexity pass at every strength.
 */
const SWEEP_SEEDS = [1234, 5678];

export interface SweepDependencies {
	readonly engine: EngineService;
	readonly library: VectorLibrary;
	readonly steering: SteeringController;
	readonly temperature: () => number;
}

export class StrengthSweepRunner {
	private running: AbortController | undefined;

	constructor(private readonly deps: SweepDependencies) {}

	async run(request: SweepRequest, onProgress: (done: number, total: number) => void): Promise<SweepView> {
		const { client } = this.deps.engine.requireModel();
		const vector = this.deps.library.get(request.fileName);
		if (!vector) throw new UserFacingError(`there is no vector ${request.fileName}`);
		const problem = this.deps.steering.problemFor(vector, this.deps.engine.modelInfo);
		if (problem) throw new UserFacingError(problem);
		const keywords = request.keywords.map((word) => word.trim()).filter((word) => word.length > 0);
		const judge = request.judge.trim();
		if (keywords.length === 0 && judge === "")
			throw new UserFacingError("give concept words or a trait to judge, so the sweep has an effect to measure");
		if (request.prompt.trim() === "") throw new UserFacingError("the sweep needs a prompt");

		this.running?.abort();
		const controller = new AbortController();
		this.running = controller;
		try {
			const result = await sweepStrengths(engineSteerableModel(client), {
				// The layers chosen for this vector in the panel are the ones the sweep should judge.
				vector: withinLayers(vector.vector, this.deps.steering.choiceOf(request.fileName).layerRange),
				prompts: [request.prompt],
				strengths: request.strengths,
				seeds: SWEEP_SEEDS,
				keywords: keywords.length > 0 ? keywords : undefined,
				judge: keywords.length > 0 || judge === "" ? undefined : judge,
				maxTokens: request.maxTokens,
				// Greedy decoding would make both seeds the same sample.
				temperature: Math.max(0.3, this.deps.temperature()),
				signal: controller.signal,
				onProgress
			});
			return sweepView(request.fileName, result);
		} finally {
			if (this.running === controller) this.running = undefined;
		}
	}

	cancel(): void {
		this.running?.abort();
	}
}

function withinLayers(vector: SteeringVector, range: readonly [number, number] | undefined): SteeringVector {
	if (!range) return vector;
	const directions = new Map([...vector.directions].filter(([layer]) => layer >= range[0] && layer <= range[1]));
	if (directions.size === 0)
		throw new UserFacingError(`the vector has no layers in the chosen range ${range[0]}–${range[1]}`);
	return { nEmbd: vector.nEmbd, directions };
}

/** The table rows: one per strength, ascending, with the effect the analysis used. */
export function sweepView(vectorFileName: string, result: StrengthSweepResult): SweepView {
	const analysed = new Map(result.analysis.points.map((point) => [point.strength, point]));
	return {
		vectorFileName,
		effectMeasure: result.effectMeasure,
		suggestedMaxStrength: result.suggestedMaxStrength,
		rows: result.points.map((point) => ({
			strength: point.strength,
			effect:
				result.effectMeasure === "keywords"
					? (point.keywordsPerHundredWords ?? null)
					: result.effectMeasure === "judge"
						? (point.judgeScore ?? null)
						: null,
			perplexity: point.perplexity,
			sample: point.samples[0]?.text ?? "",
			// The row shows its first sample, so a loop or garbage there is never labelled fluent.
			fluent:
				(analysed.get(point.strength)?.admissible ?? false) &&
				(point.samples[0]?.degeneration.length ?? 0) === 0
		}))
	};
}
