/**
 * The Model tree: the loaded model and what it runs on, one fact per row. Empty when no model is
 * loaded, so that the view's welcome content (Load / Download buttons) shows instead.
 */
import path from "node:path";
import * as vscode from "vscode";
import type { EngineService } from "../engine/engineService";

export const MODEL_VIEW_ID = "steer.model";

interface ModelFact {
	readonly label: string;
	readonly value: string;
	readonly tooltip: string;
	readonly icon: string;
}

export class ModelTreeProvider implements vscode.TreeDataProvider<ModelFact>, vscode.Disposable {
	private readonly changed = new vscode.EventEmitter<void>();
	readonly onDidChangeTreeData = this.changed.event;
	private readonly subscription: vscode.Disposable;

	constructor(private readonly engine: EngineService) {
		this.subscription = engine.onDidChange(() => this.changed.fire());
	}

	getTreeItem(fact: ModelFact): vscode.TreeItem {
		const item = new vscode.TreeItem(fact.label, vscode.TreeItemCollapsibleState.None);
		item.description = fact.value;
		item.tooltip = fact.tooltip;
		item.iconPath = new vscode.ThemeIcon(fact.icon);
		item.contextValue = "modelFact";
		return item;
	}

	getChildren(parent?: ModelFact): ModelFact[] {
		if (parent) return [];
		if (this.engine.isLoading)
			return [{ label: "Loading model…", value: "", tooltip: "Steer is loading a model", icon: "loading~spin" }];
		const model = this.engine.modelInfo;
		if (!model) return [];
		const speed = this.engine.tokensPerSecond;
		const gpu = model.gpuLayers > 0 ? `, ${model.gpuLayers} layers on the GPU` : "";
		return [
			{
				label: this.engine.modelName ?? path.basename(model.modelPath),
				value: model.architecture,
				tooltip: model.modelPath,
				icon: "hubot"
			},
			{
				label: "Layers",
				value: String(model.nLayer),
				tooltip: "Transformer blocks; a steering vector has one direction per layer it steers",
				icon: "layers"
			},
			{
				label: "Width",
				value: String(model.nEmbd),
				tooltip: "Size of each hidden state; a vector must have the same width to steer this model",
				icon: "symbol-ruler"
			},
			{
				label: "Context",
				// steer.contextSize asks for more than the model was trained on are capped at its length.
				value: `${model.contextSize} tokens${model.contextSize >= model.contextLength ? " (the model's most)" : ""}`,
				tooltip: `Tokens the model sees at once (setting steer.contextSize; it was trained on up to ${model.contextLength}, and no more is used)`,
				icon: "symbol-array"
			},
			{
				label: "Runs on",
				value: `${model.backend}${gpu}`,
				tooltip: "Compute backend (setting steer.gpu)",
				icon: "chip"
			},
			{
				label: "Threads",
				value: String(model.threads),
				tooltip: "CPU threads llama.cpp uses (setting steer.threads)",
				icon: "server-process"
			},
			{
				label: "Chat",
				value: model.hasChatTemplate ? "has a chat template" : "plain text only",
				tooltip: model.hasChatTemplate
					? "An instruct model: the Playground can talk to it as a chat"
					: "A base model: it continues text; there is no chat mode",
				icon: "comment-discussion"
			},
			...(speed === undefined
				? []
				: [
						{
							label: "Speed",
							value: `${speed.toFixed(1)} tokens/s`,
							tooltip: "Measured on the last generation",
							icon: "dashboard"
						}
					])
		];
	}

	dispose(): void {
		this.subscription.dispose();
		this.changed.dispose();
	}
}
