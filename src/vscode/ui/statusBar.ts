/**
 * The status-bar item: model, the vectors the engine really applies, strength and the last
 * generation speed at a glance; a click switches steering on or off. What it says about vectors comes
 * from the steering controller's plan, the same source as the steering pushed to the engine, so an
 * active vector the engine does not get (made for another model) is shown as not applied, with a
 * warning. When the engine crashed too often to be restarted it says so, and a click restarts it.
 */
import * as vscode from "vscode";
import { describePlacement, explainPlacement } from "../../steering/placement";
import type { EngineService } from "../engine/engineService";
import type { SteeringController } from "../steering/steeringController";

/** What the item shows now (for tests and diagnostics). */
export interface StatusBarView {
	readonly text: string;
	/** The tooltip's text (markdown). */
	readonly tooltip: string;
	/** The theme colour id of the background, if it has one. */
	readonly background: string | undefined;
	readonly command: string | undefined;
}

export interface StatusBar extends vscode.Disposable {
	readonly view: StatusBarView;
}

const ERROR_BACKGROUND = "statusBarItem.errorBackground";
const WARNING_BACKGROUND = "statusBarItem.warningBackground";

export function createStatusBar(
	engine: EngineService,
	steering: SteeringController,
	vectorCount: () => number
): StatusBar {
	const item = vscode.window.createStatusBarItem("steer.status", vscode.StatusBarAlignment.Right, 100);
	item.name = "Steer";
	item.command = "steer.toggleSteering";
	let view: StatusBarView = { text: "", tooltip: "", background: undefined, command: undefined };

	const show = (text: string, tooltip: string, command: string, background?: string): void => {
		item.text = text;
		item.tooltip = new vscode.MarkdownString(tooltip, true);
		item.command = command;
		item.backgroundColor = background ? new vscode.ThemeColor(background) : undefined;
		view = { text, tooltip, background, command };
		item.show();
	};

	const render = (): void => {
		const loop = engine.crashLoop;
		if (loop) {
			show(
				"$(error) Steer: engine stopped",
				`**Steer** — ${loop.message}.\n\nLast crash: ${escapeMarkdown(loop.lastCause)}\n\nClick to restart the engine.`,
				"steer.restartEngine",
				ERROR_BACKGROUND
			);
			return;
		}
		const model = engine.modelInfo;
		if (engine.isLoading) {
			show("$(loading~spin) Steer: loading model…", "Steer is loading a model", "steer.showLog");
			return;
		}
		if (!model) {
			show("$(circle-slash) Steer: no model", "No model loaded — click to load one", "steer.loadModel");
			return;
		}
		const { applied, skipped } = steering.plan();
		const strengthOf = (choice: { strength: number }) => formatNumber(choice.strength);
		const parts: string[] = [];
		if (applied.length === 1) {
			// A vector that acts on some tokens only says which, in the short form.
			const placement = steering.placementOf(applied[0].vector.fileName);
			const where = placement.kind === "all" ? "" : ` (${describePlacement(placement)})`;
			parts.push(`${applied[0].vector.name} ×${strengthOf(applied[0].choice)}${where}`);
		} else if (applied.length > 1)
			parts.push(`${applied.length} vectors ×${applied.map(({ choice }) => strengthOf(choice)).join("/")}`);
		if (skipped.length === 1)
			parts.push(`$(warning) ${skipped[0].vector.name} not applied (${skipped[0].problem.short})`);
		else if (skipped.length > 1) parts.push(`$(warning) ${skipped.length} vectors not applied`);
		if (parts.length === 0) {
			const count = vectorCount();
			parts.push(count === 0 ? "no vectors" : `${count} ${count === 1 ? "vector" : "vectors"}, none active`);
		}
		const speed = engine.tokensPerSecond === undefined ? "" : ` · ${Math.round(engine.tokensPerSecond)} t/s`;
		const icon = steering.enabled && applied.length > 0 ? "$(pulse)" : "$(debug-pause)";
		const vectors = steering.enabled ? parts.join(" · ") : "steering off";
		const text = `${icon} ${engine.modelName} · ${vectors}${speed}`;

		const lines = [
			`**Steer** — ${escapeMarkdown(engine.modelName ?? "")} (${model.architecture}, ${model.nLayer} layers, ${model.backend}, ${model.threads} threads)`
		];
		if (applied.length > 0)
			lines.push(
				applied
					.map(({ vector, choice }) => {
						const placement = steering.placementOf(vector.fileName);
						const where = placement.kind === "all" ? "" : `, ${explainPlacement(placement)}`;
						return `- ${escapeMarkdown(vector.name)}: strength ${strengthOf(choice)}${where}`;
					})
					.join("\n")
			);
		if (skipped.length > 0)
			lines.push(
				skipped
					.map(
						({ vector, problem }) =>
							`- $(warning) ${escapeMarkdown(vector.name)}: not applied — ${escapeMarkdown(problem.detail)}`
					)
					.join("\n")
			);
		if (applied.length === 0 && skipped.length === 0)
			lines.push(vectorCount() === 0 ? "No vectors yet." : "No active vectors.");
		lines.push(
			`Steering is **${steering.enabled ? "on" : "off"}** — click to turn it ${steering.enabled ? "off" : "on"}.`
		);
		show(
			text,
			lines.join("\n\n"),
			"steer.toggleSteering",
			steering.enabled && skipped.length > 0 ? WARNING_BACKGROUND : undefined
		);
	};

	render();
	const subscriptions = [engine.onDidChange(render), steering.onDidChange(render)];
	return {
		get view() {
			return view;
		},
		dispose: () => vscode.Disposable.from(item, ...subscriptions).dispose()
	};
}

function formatNumber(value: number): string {
	return Number.isInteger(value) ? value.toFixed(1) : value.toFixed(2).replace(/0$/, "");
}

/** Keeps file names and engine messages from turning into emphasis, links, icons or HTML. */
function escapeMarkdown(text: string): string {
	return text.replace(/[\\`*_[\]<>$]/g, (character) => `\\${character}`);
}
