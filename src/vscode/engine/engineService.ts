/**
 * Owns the one engine client of the extension: created on first use (so activation never starts a
 * process), disposed with the extension. Keeps what the surfaces show about the model — its info
 * and the last generation speed — and tells them when that changes.
 */
import path from "node:path";
import * as vscode from "vscode";
import { EngineClient, type EngineLog } from "../../engine/client";
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
	/** Fires when the model, its loading state or the measured speed changes. */
	readonly onDidChange = this.changed.event;

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

	get modelName(): string | undefined {
		return this.model ? (this.model.name ?? path.basename(this.model.modelPath)) : undefined;
	}

	private client(): EngineClient {
		if (!this.engine) {
			this.engine = new EngineClient({ steerRoot: this.options.steerRoot, log: this.options.log, env: this.options.env });
			this.engine.onEvent((event) => {
				if (event.type === "exited") this.options.log("warn", `${event.reason}; the model and steering are restored on the next request`);
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
		try {
			this.model = await this.engine.loadModel(previous);
			this.options.log("info", `kept ${path.basename(previous.modelPath)} loaded after ${path.basename(failed.modelPath)} failed to load`);
		} catch (error) {
			this.model = undefined;
			this.loadedParams = undefined;
			this.options.log("error", `could not reload ${previous.modelPath}: ${error instanceof Error ? error.message : String(error)}`);
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
		if (!this.model) throw new UserFacingError("no model is loaded; run \"Steer: Load Model…\" first");
		return { client: this.client(), info: this.model };
	}

	/** Generates and records the speed the status bar shows. */
	async generate(params: GenerateParams, options: { signal?: AbortSignal; onText?: (text: string) => void } = {}): Promise<GenerateResult> {
		const { client } = this.requireModel();
		const result = await client.generate(params, { signal: options.signal, onProgress: (progress) => options.onText?.(progress.text) });
		if (result.tokens.length > 0 && Number.isFinite(result.tokensPerSecond)) {
			this.speed = result.tokensPerSecond;
			this.changed.fire();
		}
		return result;
	}

	async dispose(): Promise<void> {
		this.changed.dispose();
		const engine = this.engine;
		this.engine = undefined;
		this.model = undefined;
		await engine?.dispose();
	}
}
