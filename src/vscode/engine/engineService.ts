/**
 * Owns the one engine client of the extension: created on first use (so activation never starts a
 * process), disposed with the extension. Keeps what the surfaces show about the model — its info,
 * the last generation speed, and whether the engine crashed too often to be restarted — and tells
 * them when that changes.
 */
import path from "node:path";
import * as vscode from "vscode";
import { EngineClient, type EngineLog } from "../../engine/client";
import type { CrashLoopState } from "../../engine/crashLoopGuard";
import type { GenerateParams, GenerateResult, LoadModelParams, ModelInfo } from "../../engine/protocol";
import { UserFacingError } from "../failures";
import { requireTrustedWorkspace } from "../trust";

export interface EngineServiceOptions {
	readonly steerRoot: string;
	readonly log: EngineLog;
	/** Extra environment for the engine process (tests). */
	readonly env?: NodeJS.ProcessEnv;
}

export interface LoadedModel {
	readonly client: EngineClient;
	readonly info: ModelInfo;
}

export class EngineService implements vscode.Disposable {
	private engine: EngineClient | undefined;
	private model: ModelInfo | undefined;
	private loading: Promise<ModelInfo> | undefined;
	private speed: number | undefined;
	private loadedParams: LoadModelParams | undefined;
	private readonly changed = new vscode.EventEmitter<void>();
	/** Fires when the model, its loading state, the measured speed or the crash-loop state changes. */
	readonly onDidChange = this.changed.event;
	private readonly stoppedRestarting = new vscode.EventEmitter<CrashLoopState>();
	/** Fires once each time the engine crashed too often and is no longer restarted. */
	readonly onDidStopRestarting = this.stoppedRestarting.event;

	constructor(private readonly options: EngineServiceOptions) {}

	get modelInfo(): ModelInfo | undefined {
		return this.model;
	}

	get isLoading(): boolean {
		return this.loading !== undefined;
	}

	get tokensPerSecond(): number | undefined {
		return this.speed;
	}

	/** Set while the engine is not restarted after repeated crashes; `restartEngine` clears it. */
	get crashLoop(): CrashLoopState | undefined {
		return this.engine?.crashLoop;
	}

	get modelName(): string | undefined {
		return this.model ? (this.model.name ?? path.basename(this.model.modelPath)) : undefined;
	}

	private client(): EngineClient {
		if (!this.engine) {
			this.engine = new EngineClient({
				steerRoot: this.options.steerRoot,
				log: this.options.log,
				env: this.options.env
			});
			this.engine.onEvent((event) => {
				if (event.type === "exited" && event.willRestart)
					this.options.log(
						"warn",
						`${event.reason}; the model and steering are restored on the next request`
					);
				if (event.type === "crashLoop") {
					this.changed.fire();
					this.stoppedRestarting.fire(event.state);
				}
			});
		}
		return this.engine;
	}

	async loadModel(params: LoadModelParams, options: { signal?: AbortSignal } = {}): Promise<ModelInfo> {
		requireTrustedWorkspace("Loading a model");
		const loading = this.client().loadModel(params, { signal: options.signal });
		this.loading = loading;
		this.changed.fire();
		try {
			this.model = await loading;
			this.loadedParams = params;
			this.speed = undefined;
			for (const warning of this.model.warnings) this.options.log("warn", warning);
			return this.model;
		} catch (error) {
			await this.restorePreviousModel(params);
			throw error;
		} finally {
			if (this.loading === loading) this.loading = undefined;
			this.changed.fire();
		}
	}

	/**
	 * The engine releases the current model before loading the next, so a file that fails to load
	 * would leave nothing loaded; the user asked for a change, not for losing the model they had.
	 */
	private async restorePreviousModel(failed: LoadModelParams): Promise<void> {
		const previous = this.loadedParams;
		if (!previous || previous.modelPath === failed.modelPath || !this.engine) return;
		// After a crash loop nothing loads; the previous model stays counted as loaded, and
		// Restart Engine brings it back.
		if (this.engine.crashLoop) return;
		try {
			this.model = await this.engine.loadModel(previous);
			this.options.log(
				"info",
				`kept ${path.basename(previous.modelPath)} loaded after ${path.basename(failed.modelPath)} failed to load`
			);
		} catch (error) {
			this.model = undefined;
			this.loadedParams = undefined;
			this.options.log(
				"error",
				`could not reload ${previous.modelPath}: ${error instanceof Error ? error.message : String(error)}`
			);
		}
	}

	async unloadModel(): Promise<void> {
		this.loadedParams = undefined;
		if (!this.engine) return;
		this.model = undefined;
		this.speed = undefined;
		try {
			await this.engine.unloadModel();
		} finally {
			this.changed.fire();
		}
	}

	/** The engine with a model loaded, or an error that tells the user how to get one. */
	requireModel(): LoadedModel {
		if (!this.model) throw new UserFacingError('no model is loaded; run "Steer: Load Model…" first');
		return { client: this.client(), info: this.model };
	}

	/**
	 * Clears the crash-loop guard and starts a fresh engine, with the loaded model and its steering
	 * restored. Returns the model's info, or undefined when no model is loaded.
	 */
	async restartEngine(): Promise<ModelInfo | undefined> {
		const client = this.client();
		try {
			await client.restart();
			this.options.log(
				"info",
				this.model ? `restarted the engine with ${path.basename(this.model.modelPath)}` : "restarted the engine"
			);
			if (this.model) this.model = await client.modelInfo();
			return this.model;
		} finally {
			this.changed.fire();
		}
	}

	/** Generates and records the speed the status bar shows. */
	async generate(
		params: GenerateParams,
		options: { signal?: AbortSignal; onText?: (text: string) => void } = {}
	): Promise<GenerateResult> {
		const { client } = this.requireModel();
		const result = await client.generate(params, {
			signal: options.signal,
			onProgress: (progress) => options.onText?.(progress.text)
		});
		if (result.tokens.length > 0 && Number.isFinite(result.tokensPerSecond)) {
			this.speed = result.tokensPerSecond;
			this.changed.fire();
		}
		return result;
	}

	async dispose(): Promise<void> {
		this.changed.dispose();
		this.stoppedRestarting.dispose();
		const engine = this.engine;
		this.engine = undefined;
		this.model = undefined;
		await engine?.dispose();
	}
}
