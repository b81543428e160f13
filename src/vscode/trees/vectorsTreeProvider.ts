/**
 * The Vectors tree: one row per vector file, ticked when it is active. The description says how it
 * steers (strength, layers, where it acts); a vector that cannot steer the loaded model says why.
 * Ticking and unticking go through the steering controller, like every other surface, so the status
 * bar and the engine follow at once.
 */
import * as vscode from "vscode";
import { describePlacement, explainPlacement } from "../../steering/placement";
import type { EngineService } from "../engine/engineService";
import type { SteeringController } from "../steering/steeringController";
import type { LibraryVector, VectorLibrary } from "../steering/vectorLibrary";
import { reportFailure } from "../failures";

export const VECTORS_VIEW_ID = "steer.vectors";

/** A vector row, also the argument its context-menu commands receive. */
export interface VectorNode {
	readonly kind: "vector";
	readonly fileName: string;
}

export class VectorsTreeProvider implements vscode.TreeDataProvider<VectorNode>, vscode.Disposable {
	private readonly changed = new vscode.EventEmitter<void>();
	readonly onDidChangeTreeData = this.changed.event;
	private readonly subscriptions: vscode.Disposable[];

	constructor(
		private readonly library: VectorLibrary,
		private readonly steering: SteeringController,
		private readonly engine: EngineService,
		private readonly log: vscode.LogOutputChannel
	) {
		this.subscriptions = [steering.onDidChange(() => this.refresh()), engine.onDidChange(() => this.refresh())];
	}

	refresh(): void {
		this.changed.fire();
	}

	getChildren(parent?: VectorNode): VectorNode[] {
		if (parent) return [];
		return this.library.list().map((vector) => ({ kind: "vector", fileName: vector.fileName }));
	}

	getTreeItem(node: VectorNode): vscode.TreeItem {
		const vector = this.library.get(node.fileName);
		const item = new vscode.TreeItem(vector?.name ?? node.fileName, vscode.TreeItemCollapsibleState.None);
		item.id = node.fileName;
		if (!vector) return item;
		const choice = this.steering.choiceOf(node.fileName);
		const problem = this.steering.problemFor(vector, this.engine.modelInfo);
		item.checkboxState = {
			state: choice.active ? vscode.TreeItemCheckboxState.Checked : vscode.TreeItemCheckboxState.Unchecked,
			tooltip: choice.active ? "Active: steers generation. Untick to stop." : "Tick to steer generation with it"
		};
		item.description = problem ? `cannot steer this model` : this.howItSteers(vector);
		item.iconPath = new vscode.ThemeIcon(
			problem ? "warning" : "arrow-both",
			problem ? new vscode.ThemeColor("problemsWarningIcon.foreground") : undefined
		);
		item.tooltip = this.tooltip(vector, problem);
		item.resourceUri = vscode.Uri.file(vector.path);
		item.contextValue = choice.active ? "vector.active" : "vector";
		item.command = { command: "steer.openVector", title: "Open Vector", arguments: [node] };
		return item;
	}

	/** "×1 · layers 2–4 · generated text": what a generation with it ticked would do. */
	private howItSteers(vector: LibraryVector): string {
		const choice = this.steering.choiceOf(vector.fileName);
		const layers = choice.layerRange ? layerWords(choice.layerRange) : "every layer";
		const placement = this.steering.placementOf(vector.fileName);
		const where = placement.kind === "all" ? "" : ` · ${describePlacement(placement)}`;
		return `×${formatStrength(choice.strength)} · ${layers}${where}`;
	}

	private tooltip(vector: LibraryVector, problem: string | undefined): vscode.MarkdownString {
		const choice = this.steering.choiceOf(vector.fileName);
		const layers = [...vector.vector.directions.keys()].sort((a, b) => a - b);
		const placement = this.steering.placementOf(vector.fileName);
		const lines = [
			`**${vector.name}** (${vector.fileName})`,
			problem ? `$(warning) ${problem}` : undefined,
			`Strength ×${formatStrength(choice.strength)}: ${vector.facts.calibrated ? "1 is the push this vector was calibrated to give; 0 is no effect; negative steers the other way" : "the raw multiplier of the vector (this file carries no calibration)"}.`,
			`Steers ${choice.layerRange ? layerWords(choice.layerRange) : "every layer it has"} (it has ${layers.length}: ${layerWords([layers[0], layers.at(-1) ?? layers[0]])}${vector.facts.suggested ? `; suggested ${layerWords(vector.facts.suggested)}` : ""}).`,
			`Acts on ${explainPlacement(placement)}.`,
			vector.facts.method ? `Trained with ${vector.facts.method}.` : "Imported (no training method recorded).",
			vector.modelHint ? `Made for ${vector.modelHint}.` : undefined,
			choice.measured?.fluentUpTo
				? `Fluent up to ×${choice.measured.fluentUpTo} in the last strength sweep.`
				: undefined
		];
		return new vscode.MarkdownString(lines.filter((line) => line !== undefined).join("\n\n"), true);
	}

	/** Ticks and unticks from the tree; a vector that cannot steer the model is unticked again, with why. */
	async checkboxesChanged(event: vscode.TreeCheckboxChangeEvent<VectorNode>): Promise<void> {
		for (const [node, state] of event.items) {
			const active = state === vscode.TreeItemCheckboxState.Checked;
			try {
				await this.steering.setActive(node.fileName, active);
			} catch (error) {
				reportFailure(this.log, `${active ? "Activate" : "Deactivate"} ${node.fileName}`, error);
				// The tree ticked the box before asking; show the choice that really holds.
				this.refresh();
			}
		}
	}

	dispose(): void {
		for (const subscription of this.subscriptions) subscription.dispose();
		this.changed.dispose();
	}
}

/** "layer 3" or "layers 2–4". */
function layerWords([first, last]: readonly [number, number]): string {
	return first === last ? `layer ${first}` : `layers ${first}–${last}`;
}

function formatStrength(strength: number): string {
	return String(Number(strength.toPrecision(3)));
}
