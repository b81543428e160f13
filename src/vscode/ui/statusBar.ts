/**
 * The status-bar item: model, active vectors, strength and the last generation speed at a glance;
 * a click switches steering on or off.
 */
import * as vscode from "vscode";
import type { EngineService } from "../engine/engineService";
import type { SteeringController } from "../steering/steeringController";

export function createStatusBar(engine: EngineService, steering: SteeringController): vscode.Disposable {
	const item = vscode.window.createStatusBarItem("steer.status", vscode.StatusBarAlignment.Right, 100);
	item.name = "Steer";
	item.command = "steer.toggleSteering";

	const render = (): void => {
		const model = engine.modelInfo;
		if (engine.isLoading) {
			item.text = "$(loading~spin) Steer: loading model…";
			item.tooltip = "Steer is loading a model";
			item.command = "steer.showLog";
			item.show();
			return;
		}
		if (!model) {
			item.text = "$(circle-slash) Steer: no model";
			item.tooltip = "No model loaded — click to load one";
			item.command = "steer.loadModel";
			item.show();
			return;
		}
		const active = steering.activeVectors();
		const strengths = active.map((vector) => steering.choiceOf(vector.fileName).strength);
		const strength = strengths.length === 0 ? "" : ` ×${strengths.map((value) => formatNumber(value)).join("/")}`;
		const vectors = active.length === 0 ? "no vectors" : active.length === 1 ? active[0].name : `${active.length} vectors`;
		const speed = engine.tokensPerSecond === undefined ? "" : ` · ${Math.round(engine.tokensPerSecond)} t/s`;
		const icon = steering.enabled && active.length > 0 ? "$(pulse)" : "$(debug-pause)";
		item.text = `${icon} ${engine.modelName} · ${steering.enabled ? vectors + strength : "steering off"}${speed}`;
		const tooltip = new vscode.MarkdownString(
			`**Steer** — ${engine.modelName} (${model.architecture}, ${model.nLayer} layers, ${model.backend}, ${model.threads} threads)\n\n` +
				(active.length === 0 ? "No active vectors.\n\n" : active.map((vector) => `- ${vector.name}: strength ${formatNumber(steering.choiceOf(vector.fileName).strength)}`).join("\n") + "\n\n") +
				`Steering is **${steering.enabled ? "on" : "off"}** — click to turn it ${steering.enabled ? "off" : "on"}.`
		);
		item.tooltip = tooltip;
		item.command = "steer.toggleSteering";
		item.show();
	};

	render();
	const subscriptions = [engine.onDidChange(render), steering.onDidChange(render)];
	return vscode.Disposable.from(item, ...subscriptions);
}

function formatNumber(value: number): string {
	return Number.isInteger(value) ? value.toFixed(1) : value.toFixed(2).replace(/0$/, "");
}
