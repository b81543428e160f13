/**
 * The Vectors section's condition search (CAST): reads prompts where a condition should hold and
 * prompts where it should not (mean over each prompt's tokens, as conditional generation reads them),
 * at the condition vector's layers, and finds the layer, threshold and direction whose check separates
 * them best (`findBestCondition`). One search at a time; a new one or Stop aborts the running one.
 */
import { engineHiddenStateSource } from "../../engine/hiddenStateSource";
import { findBestCondition, type ConditionGridPoint } from "../../steering/conditions/gridSearch";
import type { SteeringVector } from "../../steering/vector";
import type { ConditionPoint, ConditionSearchView, WebviewToHost } from "../../shared/webviewProtocol/messages";
import type { EngineService } from "../engine/engineService";
import { UserFacingError } from "../failures";
import type { SteeringController } from "../steering/steeringController";
import type { VectorLibrary } from "../steering/vectorLibrary";

export type ConditionSearchRequest = Omit<Extract<WebviewToHost, { type: "searchCondition" }>, "type">;

export interface ConditionSearchDependencies {
	readonly engine: EngineService;
	readonly library: VectorLibrary;
	readonly steering: SteeringController;
}

export class ConditionSearchRunner {
	private running: AbortController | undefined;

	constructor(private readonly deps: ConditionSearchDependencies) {}

	async run(
		request: ConditionSearchRequest,
		onProgress: (done: number, total: number) => void
	): Promise<ConditionSearchView> {
		const { client } = this.deps.engine.requireModel();
		const library = this.deps.library.get(request.fileName);
		if (!library) throw new UserFacingError(`there is no vector ${request.fileName}`);
		const problem = this.deps.steering.problemFor(library, this.deps.engine.modelInfo);
		if (problem) throw new UserFacingError(problem);
		const positives = nonBlank(request.positives);
		const negatives = nonBlank(request.negatives);
		if (positives.length === 0 || negatives.length === 0) {
			throw new UserFacingError(
				"give at least one prompt where the condition should hold and one where it should not"
			);
		}
		// The layers chosen for this vector in the panel are the ones worth checking.
		const range = this.deps.steering.choiceOf(request.fileName).layerRange;
		const layers = [...library.vector.directions.keys()]
			.filter((layer) => !range || (layer >= range[0] && layer <= range[1]))
			.sort((a, b) => a - b);
		if (layers.length === 0)
			throw new UserFacingError(`the vector has no layers in the chosen range ${range?.[0]}–${range?.[1]}`);

		this.running?.abort();
		const controller = new AbortController();
		this.running = controller;
		try {
			const texts = [...positives, ...negatives].map((text) => ({ text }));
			onProgress(0, texts.length);
			const captured = await engineHiddenStateSource(client).capture(texts, {
				layers,
				positions: { select: "all", mean: true },
				signal: controller.signal,
				onItem: onProgress
			});
			controller.signal.throwIfAborted();
			const states = captured.map((rows) => new Map(rows.map(({ layer, hidden }) => [layer, hidden])));
			const points = searchLayers(
				states.slice(0, positives.length),
				states.slice(positives.length),
				library.vector,
				layers,
				request
			);
			return {
				vectorFileName: request.fileName,
				layers,
				thresholdRange: request.thresholdRange,
				step: request.step,
				best: bestOf(points),
				perLayer: layers.map((layer) => bestOf(points.filter((point) => point.layer === layer))),
				positives: positives.length,
				negatives: negatives.length
			};
		} finally {
			if (this.running === controller) this.running = undefined;
		}
	}

	cancel(): void {
		this.running?.abort();
	}
}

function nonBlank(prompts: readonly string[]): string[] {
	return prompts.map((prompt) => prompt.trim()).filter((prompt) => prompt.length > 0);
}

/**
 * The grid search takes a contiguous layer range; a vector may skip layers, so each contiguous run
 * is searched on its own and the grids are joined, in ascending layer order.
 */
function searchLayers(
	positives: readonly ReadonlyMap<number, Float32Array>[],
	negatives: readonly ReadonlyMap<number, Float32Array>[],
	vector: SteeringVector,
	layers: readonly number[],
	request: ConditionSearchRequest
): ConditionGridPoint[] {
	const points: ConditionGridPoint[] = [];
	for (const [from, to] of contiguousRuns(layers)) {
		try {
			points.push(
				...findBestCondition(positives, negatives, vector, [from, to], request.thresholdRange, request.step)
					.table
			);
		} catch (error) {
			// The search's range errors say what to change (step, range); show them as they are.
			if (error instanceof RangeError) throw new UserFacingError(error.message);
			throw error;
		}
	}
	return points;
}

function contiguousRuns(layers: readonly number[]): [number, number][] {
	const runs: [number, number][] = [];
	for (const layer of layers) {
		const last = runs.at(-1);
		if (last && layer === last[1] + 1) last[1] = layer;
		else runs.push([layer, layer]);
	}
	return runs;
}

/**
 * The same choice `findBestCondition` makes within its grid: highest F1, then the threshold farthest
 * from every prompt, then the first in grid order (lower layer, lower threshold, "larger").
 */
function bestOf(points: readonly ConditionGridPoint[]): ConditionPoint {
	let best = points[0];
	if (!best) throw new UserFacingError("the condition search produced no grid points");
	for (const point of points)
		if (point.f1 > best.f1 || (point.f1 === best.f1 && point.margin > best.margin)) best = point;
	return {
		layer: best.layer,
		threshold: best.threshold,
		direction: best.direction,
		f1: best.f1,
		precision: best.precision,
		recall: best.recall
	};
}
