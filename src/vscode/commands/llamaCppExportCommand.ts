/**
 * "Steer: Export for llama-server": the steering Steer applies now, as one control-vector file and the
 * llama-server command line that loads it (copied to the clipboard), so a served model steers the same.
 */
import { mkdir } from "node:fs/promises";
import path from "node:path";
import * as vscode from "vscode";
import { saveControlVectorFile } from "../../steering/gguf/controlVectorFile";
import { exportForLlamaCpp, llamaCppCommandLines } from "../../steering/llamaCppExport";
import type { EngineService } from "../engine/engineService";
import { UserFacingError } from "../failures";
import type { SteeringController } from "../steering/steeringController";
import { pathArgument, registerSteerCommand } from "./commandRunner";

export interface LlamaCppExportDependencies {
	readonly engine: EngineService;
	readonly steering: SteeringController;
	readonly log: vscode.LogOutputChannel;
}

/** Returns (for tests and other extensions) the written file and the command lines. */
export function registerLlamaCppExportCommand(deps: LlamaCppExportDependencies): vscode.Disposable {
	const { engine, steering, log } = deps;
	return registerSteerCommand(
		log,
		"steer.exportForLlamaServer",
		"Export for llama-server",
		async (destinationArgument) => {
			const model = engine.modelInfo;
			if (!model) throw new UserFacingError("load the model to serve first: the command line names it");
			const applied = steering.plan().applied;
			if (applied.length === 0)
				throw new UserFacingError("no active vectors to export: tick a vector in the Steer panel first");
			let exported;
			try {
				exported = exportForLlamaCpp(
					applied.map(({ vector, choice }) => ({
						name: vector.name,
						vector: vector.vector,
						strength: choice.strength,
						layerRange: choice.layerRange,
						placement: steering.placementOf(vector.fileName)
					}))
				);
			} catch (error) {
				throw new UserFacingError((error as Error).message);
			}
			const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
			const suggested = path.join(
				folder ?? path.dirname(model.modelPath),
				`${path.parse(model.modelPath).name}.steering.gguf`
			);
			const destination =
				pathArgument(destinationArgument) ??
				(
					await vscode.window.showSaveDialog({
						title: "Steer: write the active steering as one control vector for llama.cpp",
						defaultUri: vscode.Uri.file(suggested),
						filters: { "Control vectors": ["gguf"] }
					})
				)?.fsPath;
			if (!destination) return undefined;
			let commands;
			try {
				commands = llamaCppCommandLines(model.modelPath, destination);
			} catch (error) {
				throw new UserFacingError((error as Error).message);
			}
			await mkdir(path.dirname(destination), { recursive: true });
			await saveControlVectorFile(destination, exported.vector, { modelHint: model.architecture });
			// The browser of a web workbench may refuse the clipboard; the message still shows the command.
			const copied = await Promise.resolve(vscode.env.clipboard.writeText(commands.server)).then(
				() => true,
				(error: unknown) => {
					log.warn(`could not copy the llama-server command line to the clipboard: ${String(error)}`);
					return false;
				}
			);
			log.info(`exported the active steering to ${destination}; llama-server: ${commands.server}`);
			for (const difference of exported.differences) log.warn(`export for llama-server: ${difference}`);
			const note = exported.differences.length > 0 ? ` Note: ${exported.differences.join("; ")}.` : "";
			void vscode.window.showInformationMessage(
				`Steer: wrote ${path.basename(destination)}${copied ? " and copied the llama-server command line" : "; run it with"}: ${commands.server}.${note}`
			);
			return { file: destination, ...commands, differences: exported.differences };
		}
	);
}
