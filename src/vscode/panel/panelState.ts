/** Builds the view of host state the panel renders. */
import path from "node:path";
import * as vscode from "vscode";
import type { PanelState, VectorView } from "../../shared/webviewProtocol/messages";
import { describePlacement, PLACEMENT_DESCRIPTIONS, PLACEMENT_LABELS } from "../../steering/placement";
import type { EngineService } from "../engine/engineService";
import { readSettings } from "../settings";
import type { SteeringController } from "../steering/steeringController";
import type { VectorLibrary } from "../steering/vectorLibrary";

export interface PanelStateSources {
	readonly engine: EngineService;
	readonly steering: SteeringController;
	readonly library: VectorLibrary;
}

export async function buildPanelState(sources: PanelStateSources): Promise<PanelState> {
	const { engine, steering, library } = sources;
	const model = engine.modelInfo;
	const vectors: VectorView[] = library.list().map((vector) => {
		const choice = steering.choiceOf(vector.fileName);
		return {
			fileName: vector.fileName,
			name: vector.name,
			nEmbd: vector.vector.nEmbd,
			layers: [...vector.vector.directions.keys()].sort((a, b) => a - b),
			modelHint: vector.modelHint,
			method: vector.facts.method,
			calibrated: vector.facts.calibrated,
			active: choice.active,
			strength: choice.strength,
			// Steer-trained files carry the calibration in their directions, so raw α equals the strength.
			rawAlpha: choice.strength,
			layerRange: choice.layerRange,
			suggested: vector.facts.suggested,
			placement: describePlacement(steering.placementOf(vector.fileName)),
			placementChosen: choice.placement !== undefined,
			problem: steering.problemFor(vector, model),
			measured: choice.measured,
			strengthWarning: steering.strengthWarning(vector.fileName)
		};
	});
	return {
		trusted: vscode.workspace.isTrusted,
		modelLoading: engine.isLoading,
		model: model && {
			name: engine.modelName ?? path.basename(model.modelPath),
			path: model.modelPath,
			architecture: model.architecture,
			nLayer: model.nLayer,
			nEmbd: model.nEmbd,
			contextSize: model.contextSize,
			backend: model.backend,
			threads: model.threads,
			gpuLayers: model.gpuLayers,
			hasChatTemplate: model.hasChatTemplate
		},
		steeringEnabled: steering.enabled,
		vectors,
		defaultMaxTokens: readSettings().maxTokens,
		placements: Object.entries(PLACEMENT_DESCRIPTIONS).map(([kind, description]) => ({
			kind,
			label: PLACEMENT_LABELS[kind as keyof typeof PLACEMENT_LABELS],
			description
		}))
	};
}
