/**
 * Load, download and unload a model. Downloading runs in the extension host through node-llama-cpp's
 * `resolveModelFile`: fetching a file needs none of the native model code, so the engine process is
 * not involved and a download can run while a model is loaded.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import * as vscode from "vscode";
import type { ModelInfo } from "../../engine/protocol";
import type { EngineService } from "../engine/engineService";
import { UserFacingError } from "../failures";
import { loadParams, readSettings } from "../settings";
import type { SteeringController } from "../steering/steeringController";
import { requireTrustedWorkspace } from "../trust";
import { pathArgument, registerSteerCommand, withCancellableProgress } from "./commandRunner";

export interface ModelCommandDependencies {
	readonly engine: EngineService;
	readonly steering: SteeringController;
	readonly log: vscode.LogOutputChannel;
	readonly extensionPath: string;
	/** Where downloaded models go. */
	readonly modelsFolder: string;
}

export function registerModelCommands(deps: ModelCommandDependencies): vscode.Disposable[] {
	const { log } = deps;
	return [
		registerSteerCommand(log, "steer.loadModel", "Load Model", async (argument) => {
			requireTrustedWorkspace("Loading a model");
			const modelPath = pathArgument(argument) ?? (await pickModelFile());
			if (!modelPath) return undefined;
			return loadModel(deps, modelPath);
		}),
		registerSteerCommand(log, "steer.downloadModel", "Download Model", async (argument) => {
			requireTrustedWorkspace("Downloading a model");
			const uri = typeof argument === "string" ? argument : await askModelUri();
			if (!uri) return undefined;
			const modelPath = await downloadModel(deps, uri);
			const choice = await vscode.window.showInformationMessage(
				`Steer: downloaded ${path.basename(modelPath)}.`,
				"Load Model"
			);
			if (choice === "Load Model") await loadModel(deps, modelPath);
			return modelPath;
		}),
		registerSteerCommand(log, "steer.unloadModel", "Unload Model", async () => {
			await deps.engine.unloadModel();
			await vscode.commands.executeCommand("setContext", "steer.modelLoaded", false);
			log.info("model unloaded");
		}),
		// After a crash loop (or whenever the engine misbehaves): a fresh process with the model and steering back.
		registerSteerCommand(log, "steer.restartEngine", "Restart Engine", async () => {
			const info = await deps.engine.restartEngine();
			if (info) await deps.steering.apply();
			return info;
		})
	];
}

export async function loadModel(deps: ModelCommandDependencies, modelPath: string): Promise<ModelInfo> {
	if (!existsSync(modelPath)) throw new UserFacingError(`${modelPath} does not exist`);
	const settings = readSettings();
	const info = await withCancellableProgress(`Steer: loading ${path.basename(modelPath)}`, (signal) =>
		deps.engine.loadModel(loadParams(settings, modelPath), { signal })
	);
	await vscode.commands.executeCommand("setContext", "steer.modelLoaded", true);
	deps.log.info(
		`loaded ${modelPath}: ${info.architecture}, ${info.nLayer} layers × ${info.nEmbd}, ${info.backend}, ${info.threads} threads, context ${info.contextSize}`
	);
	// The engine forgets steering when a model loads; give it back what the user had chosen.
	await deps.steering.apply();
	return info;
}

async function pickModelFile(): Promise<string | undefined> {
	const picked = await vscode.window.showOpenDialog({
		title: "Steer: choose a GGUF model",
		canSelectMany: false,
		filters: { "GGUF models": ["gguf"] },
		openLabel: "Load Model"
	});
	return picked?.[0]?.fsPath;
}

async function askModelUri(): Promise<string | undefined> {
	return vscode.window.showInputBox({
		title: "Steer: download a GGUF model",
		prompt: "A model URI: hf:<user>/<repo>:<quant>, hf:<user>/<repo>/<file>.gguf, or an https URL",
		placeHolder: "hf:mradermacher/TinyStories-656K-GGUF:F16",
		ignoreFocusOut: true,
		validateInput: (value) =>
			/^(hf:|huggingface:|https:\/\/)\S+$/.test(value.trim()) ? undefined : "Start with hf: or https://"
	});
}

interface ModelResolver {
	resolveModelFile(
		uri: string,
		options: {
			directory: string;
			cli: boolean;
			signal?: AbortSignal;
			onProgress?: (status: { totalSize: number; downloadedSize: number }) => void;
		}
	): Promise<string>;
}

async function downloadModel(deps: ModelCommandDependencies, uri: string): Promise<string> {
	// node-llama-cpp is an ES module with top-level await, so it cannot be require()d from this
	// CommonJS bundle; import it by file URL (a computed specifier also keeps the bundler out of it).
	const entry = path.join(deps.extensionPath, "node_modules", "node-llama-cpp", "dist", "index.js");
	const resolver = (await import(pathToFileURL(entry).href)) as ModelResolver;
	return withCancellableProgress(`Steer: downloading ${uri}`, async (signal, report) => {
		const file = await resolver.resolveModelFile(uri.trim(), {
			directory: deps.modelsFolder,
			cli: false,
			signal,
			onProgress: ({ totalSize, downloadedSize }) =>
				report(
					`${(downloadedSize / 1048576).toFixed(1)} of ${(totalSize / 1048576).toFixed(1)} MiB`,
					totalSize > 0 ? downloadedSize / totalSize : undefined
				)
		});
		deps.log.info(`downloaded ${uri} to ${file}`);
		return file;
	});
}
