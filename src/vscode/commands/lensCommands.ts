/** Showing and hiding the concept lens from the command palette. */
import * as vscode from "vscode";
import { UserFacingError } from "../failures";
import type { ConceptLens } from "../lens/conceptLens";
import type { SteeringController } from "../steering/steeringController";
import type { VectorLibrary } from "../steering/vectorLibrary";
import { registerSteerCommand } from "./commandRunner";
import { pickVector } from "./vectorCommands";

export interface LensCommandDependencies {
	readonly lens: ConceptLens;
	readonly library: VectorLibrary;
	readonly steering: SteeringController;
	readonly log: vscode.LogOutputChannel;
}

export function registerLensCommands(deps: LensCommandDependencies): vscode.Disposable[] {
	const { lens, library, steering, log } = deps;
	return [
		registerSteerCommand(log, "steer.showConceptLens", "Show Concept Lens", async (nameArgument, layerArgument) => {
			const fileName =
				typeof nameArgument === "string"
					? nameArgument
					: await pickVector(
							library,
							"Show the lens for which vector?",
							steering.activeVectors().map((v) => v.fileName)
						);
			if (!fileName) return undefined;
			const vector = library.get(fileName);
			if (!vector) throw new UserFacingError(`no vector named ${fileName}`);
			const layers = [...vector.vector.directions.keys()].sort((a, b) => a - b);
			const suggested = vector.facts.suggested
				? Math.round((vector.facts.suggested[0] + vector.facts.suggested[1]) / 2)
				: layers[Math.floor(layers.length / 2)];
			const layer =
				typeof layerArgument === "number"
					? layerArgument
					: Number(
							(
								await vscode.window.showQuickPick(
									layers.map((value) => ({
										label: String(value),
										description: value === suggested ? "suggested" : undefined,
										picked: value === suggested
									})),
									{ title: `Steer: read ${vector.name} at which layer?` }
								)
							)?.label
						);
			if (!Number.isInteger(layer)) return undefined;
			return lens.show({ vector, layer });
		}),
		registerSteerCommand(log, "steer.hideConceptLens", "Hide Concept Lens", () => lens.hide())
	];
}
