/**
 * What the vector viewer shows of a control-vector file: per-layer norms for any file, and for one
 * trained by Steer its training diagnostics, calibration curve and counts. Pure: no VS Code here.
 */
import path from "node:path";
import type { ControlVectorFile } from "../../steering/gguf/controlVector";
import type { GgufMetadata } from "../../steering/gguf/metadataAccess";
import type { GgufValue } from "../../steering/gguf/values";
import { isTrainedVectorMetadata, readTrainedVector } from "../../steering/pipeline/trainedVectorFile";
import { describeProfileChoice, describeReliability } from "../../steering/pipeline/calibrateStrength";
import { explainPlacement } from "../../steering/placement";
import type { LayerReport, VectorReport } from "../../shared/vectorViewerProtocol";

/** Metadata values longer than this are cut for the table (arrays of directions run to megabytes). */
const SHOWN_VALUE_LENGTH = 120;

export function vectorReport(
	filePath: string,
	file: ControlVectorFile,
	context: { mismatch?: string; steering: VectorReport["steering"]; ratingRequests?: readonly string[] }
): VectorReport {
	const fileName = path.basename(filePath);
	const norms = new Map([...file.vector.directions].map(([layer, direction]) => [layer, euclideanNorm(direction)]));
	const base = {
		type: "report" as const,
		fileName,
		name: path.basename(fileName, path.extname(fileName)),
		width: file.vector.nEmbd,
		modelHint: file.modelHint,
		mismatch: context.mismatch,
		steering: context.steering,
		...(context.ratingRequests ? { ratingRequests: [...context.ratingRequests] } : {}),
		metadata: metadataRows(file.metadata)
	};
	if (!isTrainedVectorMetadata(file.metadata)) {
		return {
			...base,
			trainedBySteer: false,
			placement: explainPlacement({ kind: "all" }),
			layers: [...norms].sort(([a], [b]) => a - b).map(([layer, norm]) => ({ layer, norm, steered: true }))
		};
	}
	const trained = readTrainedVector(file.vector, file.modelHint, file.metadata);
	const steered = new Set(trained.suggestedLayers);
	const layers: LayerReport[] = trained.diagnostics.map((entry) => ({
		layer: entry.layer,
		norm: norms.get(entry.layer) ?? 0,
		steered: steered.has(entry.layer),
		explained: entry.explainedVarianceRatio,
		heldOut: entry.heldOutAccuracy,
		agreement: entry.agreement,
		consistency: entry.pairConsistency ?? null,
		hiddenNorm: entry.hiddenNormMean,
		histogram: {
			edges: entry.histogram.edges,
			positive: entry.histogram.positive,
			negative: entry.histogram.negative
		}
	}));
	const band = trained.suggestedLayers;
	return {
		...base,
		trainedBySteer: true,
		method: trained.method,
		examples: trained.exampleCounts
			? `${trained.exampleCounts.positive} examples with the concept, ${trained.exampleCounts.negative} without`
			: `${trained.pairCount} contrast pairs`,
		suggested: band.length > 0 ? [band[0], band[band.length - 1]] : undefined,
		placement: explainPlacement(trained.placement ?? { kind: "all" }),
		layers,
		calibration: trained.calibration && {
			points: trained.calibration.points.map((point) => ({
				strength: point.strength / (trained.calibration?.chosen ?? 1),
				readout: point.readout,
				fluent: point.fluent,
				realWords: point.fluency.realWordShare,
				...(point.klPerToken === undefined ? {} : { kl: point.klPerToken }),
				...(point.perplexity === undefined ? {} : { perplexity: point.perplexity })
			})),
			chosen: trained.calibration.chosen,
			reason: trained.calibration.reason,
			readLayer: trained.calibration.readLayer,
			reliability: trained.calibration.reliability && describeReliability(trained.calibration.reliability),
			...(trained.calibration.profile ? { profile: describeProfileChoice(trained.calibration.profile) } : {})
		}
	};
}

/** Every metadata key with a short text of its value; the direction tensors are not metadata. */
function metadataRows(metadata: GgufMetadata): [string, string][] {
	return [...metadata].map(([key, value]) => [key, shortValue(value)]);
}

function shortValue(value: GgufValue): string {
	let text: string;
	if (value.type === "array") {
		const items = Array.from(value.items as ArrayLike<unknown>);
		text = `[${items.length} × ${value.itemType}] ${items.slice(0, 8).map(String).join(", ")}${items.length > 8 ? ", …" : ""}`;
	} else text = String(value.value);
	return text.length > SHOWN_VALUE_LENGTH
		? `${text.slice(0, SHOWN_VALUE_LENGTH)}… (${text.length} characters)`
		: text;
}

function euclideanNorm(values: Float32Array): number {
	let sum = 0;
	for (const value of values) sum += value * value;
	return Math.sqrt(sum);
}
