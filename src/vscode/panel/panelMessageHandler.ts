/**
 * What the host does for each (already validated) message from the steering panel. Replies go back
 * through `post`; failures are shown in the panel and logged, never thrown into the webview channel.
 */
import * as vscode from "vscode";
import type { HostToWebview, WebviewToHost } from "../../shared/webviewProtocol/messages";
import type { EngineService } from "../engine/engineService";
import { describeError, isUserCancellation } from "../failures";
import { COMPARISON_SEED } from "../commands/generationCommands";
import type { SteeringController } from "../steering/steeringController";
import { readSettings } from "../settings";
import { runLongJob } from "../jobs/longJob";
import type { ConditionSearchRunner } from "./conditionSearchRunner";
import { checkRule } from "./ruleCheck";
import type { StrengthSweepRunner } from "./strengthSweepRunner";

export interface PanelHandlerDependencies {
	readonly engine: EngineService;
	readonly steering: SteeringController;
	readonly sweeps: StrengthSweepRunner;
	readonly conditions: ConditionSearchRunner;
	readonly log: vscode.LogOutputChannel;
	readonly post: (message: HostToWebview) => void;
	readonly refresh: () => Promise<void>;
}

export class PanelMessageHandler {
	private generation: AbortController | undefined;

	constructor(private readonly deps: PanelHandlerDependencies) {}

	async handle(message: WebviewToHost): Promise<void> {
		try {
			await this.dispatch(message);
		} catch (error) {
			if (isUserCancellation(error)) return;
			this.deps.log.error(`panel: ${message.type} failed: ${describeError(error)}`);
			this.deps.post({ type: "error", message: describeError(error) });
		}
	}

	private async dispatch(message: WebviewToHost): Promise<void> {
		const { steering, post } = this.deps;
		switch (message.type) {
			case "ready":
				await this.deps.refresh();
				return;
			case "runCommand":
				await vscode.commands.executeCommand<unknown>(`steer.${message.command}`);
				return;
			case "setVectorActive":
				await steering.setActive(message.fileName, message.active);
				return;
			case "setVectorStrength":
				await steering.setStrength(message.fileName, message.strength);
				return;
			case "setVectorLayerRange":
				await steering.setLayerRange(message.fileName, message.range ?? undefined);
				return;
			case "setVectorPlacement":
				await steering.setPlacement(message.fileName, message.placement);
				return;
			case "setSteeringEnabled":
				await steering.setEnabled(message.enabled);
				return;
			case "generate":
				await this.generate(message.prompt, message.maxTokens, message.seed, message.chat);
				return;
			case "cancelGeneration":
				this.generation?.abort();
				return;
			case "sweepStrengths":
				await this.sweep(message);
				return;
			case "cancelSweep":
				this.deps.sweeps.cancel();
				return;
			case "searchCondition":
				await this.searchCondition(message);
				return;
			case "cancelConditionSearch":
				this.deps.conditions.cancel();
				return;
			case "checkRule":
				post(checkRule(message.source));
				return;
		}
	}

	/** The sweep's outcome goes to the playground's table; its failure is shown there, not as a banner. */
	private async sweep(message: Extract<WebviewToHost, { type: "sweepStrengths" }>): Promise<void> {
		const { type: _type, ...request } = message;
		try {
			const sweep = await runLongJob({
				title: `Steer: strength sweep of ${request.fileName}`,
				step: (done, total) => `${done} of ${total} strengths`,
				cancel: () => this.deps.sweeps.cancel(),
				onProgress: (done, total) => this.deps.post({ type: "sweepProgress", done, total }),
				run: (progress) => this.deps.sweeps.run(request, progress)
			});
			await this.deps.steering.recordSweep(sweep.vectorFileName, sweep.rows);
			this.deps.post({ type: "sweepDone", sweep });
		} catch (error) {
			if (isUserCancellation(error)) {
				this.deps.post({ type: "sweepFailed", message: "sweep stopped" });
				return;
			}
			this.deps.log.error(`strength sweep failed: ${describeError(error)}`);
			this.deps.post({ type: "sweepFailed", message: describeError(error) });
		}
	}

	/** The search's outcome goes to the Vectors section's condition editor; so does its failure. */
	private async searchCondition(message: Extract<WebviewToHost, { type: "searchCondition" }>): Promise<void> {
		const { type: _type, ...request } = message;
		try {
			const search = await runLongJob({
				title: `Steer: searching a condition for ${request.fileName}`,
				step: (done, total) => `${done} of ${total} prompts read`,
				cancel: () => this.deps.conditions.cancel(),
				onProgress: (done, total) => this.deps.post({ type: "conditionProgress", done, total }),
				run: (progress) => this.deps.conditions.run(request, progress)
			});
			this.deps.post({ type: "conditionFound", search });
		} catch (error) {
			if (isUserCancellation(error)) {
				this.deps.post({ type: "conditionFailed", message: "search stopped" });
				return;
			}
			this.deps.log.error(`condition search failed: ${describeError(error)}`);
			this.deps.post({ type: "conditionFailed", message: describeError(error) });
		}
	}

	/** Baseline then steered, same seed and settings (chat mode included), each streamed into its column. */
	private async generate(
		prompt: string,
		maxTokens: number,
		seed: number,
		chat: { readonly system?: string } | undefined
	): Promise<void> {
		this.generation?.abort();
		const controller = new AbortController();
		this.generation = controller;
		const temperature = readSettings().temperature;
		const sides = [
			["baseline", []],
			["steered", this.deps.steering.activeEntries()]
		] as const;
		for (const [side, steering] of sides) {
			let text = "";
			this.deps.post({ type: "generation", side, text, done: false });
			const result = await this.deps.engine.generate(
				{ prompt, maxTokens, seed: seed || COMPARISON_SEED, temperature, steering, ...(chat ? { chat } : {}) },
				{
					signal: controller.signal,
					onText: (chunk) => {
						text += chunk;
						this.deps.post({ type: "generation", side, text, done: false });
					}
				}
			);
			this.deps.post({
				type: "generation",
				side,
				text: result.text,
				done: true,
				tokensPerSecond: result.tokensPerSecond
			});
		}
		if (this.generation === controller) this.generation = undefined;
	}

	dispose(): void {
		this.generation?.abort();
		this.deps.sweeps.cancel();
		this.deps.conditions.cancel();
	}
}
