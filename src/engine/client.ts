/**
 * The host side of the engine: forks the engine process, sends typed requests, streams progress,
 * cancels, and survives the process dying.
 *
 * When the process dies (a native abort, an out-of-memory kill), every pending request fails with an
 * ENGINE_EXITED error that says so; the next request starts a new process and first restores the model
 * and steering the caller had set, so one crash costs one request and no state the user made.
 * A crash that keeps coming back is not restarted forever: after CRASH_LOOP_LIMIT crashes within
 * CRASH_LOOP_WINDOW_MS (see crashLoopGuard.ts) every request fails at once with ENGINE_CRASH_LOOP and
 * no process is forked, until `restart()` is called for the user.
 */
import { fork, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { CrashLoopGuard, type CrashLoopState } from "./crashLoopGuard";
import { EngineError } from "./errors";
import type {
	CaptureParams,
	CapturedItem,
	EngineMessage,
	EngineMethod,
	GenerateParams,
	GenerateResult,
	LoadModelParams,
	ModelInfo,
	NextTokenParams,
	NextTokenResult,
	ParamsOf,
	ProgressOf,
	ResultOf,
	SteeringEntry,
	SteeringState,
	TokenProjectionsParams,
	TokenProjectionsResult
} from "./protocol";
import { findSteerRoot } from "./repoRoot";

export type EngineLog = (level: "debug" | "info" | "warn" | "error", message: string) => void;

export interface EngineClientOptions {
	/** Steer's root folder; found from this file when omitted. */
	readonly steerRoot?: string;
	/** The bundled engine entry; `<root>/dist/engine.mjs` when omitted. */
	readonly enginePath?: string;
	readonly log?: EngineLog;
	/** Extra environment for the engine process. */
	readonly env?: NodeJS.ProcessEnv;
	/** How long shutdown waits before killing the process. */
	readonly shutdownTimeoutMs?: number;
}

/** What the client tells its listeners about the engine process. */
export type EngineEvent =
	| { readonly type: "started"; readonly pid: number }
	/** The process died unasked; `willRestart` is false once the crash-loop guard has tripped. */
	| { readonly type: "exited"; readonly reason: string; readonly willRestart: boolean }
	/** The crash that tripped the guard: from now on requests fail until `restart()`. */
	| { readonly type: "crashLoop"; readonly state: CrashLoopState };

export interface RequestOptions<P> {
	readonly signal?: AbortSignal;
	readonly onProgress?: (progress: P) => void;
}

interface Pending {
	readonly method: EngineMethod;
	readonly resolve: (value: unknown) => void;
	readonly reject: (error: Error) => void;
	readonly onProgress?: (data: unknown) => void;
}

interface RunningEngine {
	readonly child: ChildProcess;
	readonly ready: Promise<void>;
	/** Settles once the model and steering of a crashed predecessor are back (at once when there is none). */
	restored: Promise<void>;
	readonly pending: Map<number, Pending>;
	stderrTail: string;
	/** Set when the client itself stops the process (restart), so its exit is no crash. */
	stopping: boolean;
}

const stderrTailLength = 2000;

export class EngineClient {
	private engine: RunningEngine | undefined;
	private nextId = 1;
	private restoredModel: LoadModelParams | undefined;
	private restoredSteering: readonly SteeringEntry[] = [];
	private disposed = false;
	private readonly crashGuard = new CrashLoopGuard();
	private readonly listeners = new Set<(event: EngineEvent) => void>();
	readonly enginePath: string;

	constructor(private readonly options: EngineClientOptions = {}) {
		// Bundled as ES modules (the CLI) there is no __dirname; such callers pass steerRoot.
		const root = options.steerRoot ?? findSteerRoot(typeof __dirname === "string" ? __dirname : process.cwd());
		this.enginePath = options.enginePath ?? path.join(root, "dist", "engine.mjs");
	}

	/** The process id of the running engine, if any (for tests and diagnostics). */
	get pid(): number | undefined {
		return this.engine?.child.pid;
	}

	/** Set once the engine crashed too often to be restarted, until `restart()`. */
	get crashLoop(): CrashLoopState | undefined {
		return this.crashGuard.tripped;
	}

	onEvent(listener: (event: EngineEvent) => void): () => void {
		this.listeners.add(listener);
		return () => this.listeners.delete(listener);
	}

	private emit(event: EngineEvent): void {
		for (const listener of this.listeners) listener(event);
	}

	private log(level: "debug" | "info" | "warn" | "error", message: string): void {
		this.options.log?.(level, message);
	}

	private start(): RunningEngine {
		if (!existsSync(this.enginePath))
			throw new EngineError(
				"NATIVE_UNAVAILABLE",
				`the engine is not built (${this.enginePath} is missing); run \`npm run build\``
			);
		const child = fork(this.enginePath, [], {
			serialization: "advanced",
			stdio: ["ignore", "pipe", "pipe", "ipc"],
			execArgv: [],
			// Editors built on Electron fork with their own binary; this makes it behave as plain Node.
			env: { ...process.env, ...this.options.env, ELECTRON_RUN_AS_NODE: "1" }
		});
		const pending = new Map<number, Pending>();
		let markReady: () => void = () => undefined;
		let failReady: (error: Error) => void = () => undefined;
		const ready = new Promise<void>((resolve, reject) => {
			markReady = resolve;
			failReady = reject;
		});
		ready.catch(() => undefined);
		const engine: RunningEngine = { child, ready, restored: ready, pending, stderrTail: "", stopping: false };
		child.stdout?.on("data", (chunk: Buffer) => this.log("debug", `engine: ${chunk.toString().trimEnd()}`));
		child.stderr?.on("data", (chunk: Buffer) => {
			const text = chunk.toString();
			engine.stderrTail = (engine.stderrTail + text).slice(-stderrTailLength);
			this.log("debug", `engine stderr: ${text.trimEnd()}`);
		});
		child.on("message", (message: EngineMessage) => {
			switch (message.type) {
				case "ready":
					markReady();
					this.emit({ type: "started", pid: message.pid });
					break;
				case "log":
					this.log(message.level, message.message);
					break;
				case "progress":
					pending.get(message.id)?.onProgress?.(message.data);
					break;
				case "result": {
					const request = pending.get(message.id);
					pending.delete(message.id);
					request?.resolve(message.result);
					break;
				}
				case "error": {
					const request = pending.get(message.id);
					pending.delete(message.id);
					request?.reject(EngineError.from(message.error));
					break;
				}
			}
		});
		child.on("exit", (code, signal) => {
			if (this.engine === engine) this.engine = undefined;
			const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
			const detail = lastMeaningfulLine(engine.stderrTail);
			const reason = `the Steer engine process ${how}${detail ? ` (${detail})` : ""}`;
			const crashed = !this.disposed && !engine.stopping;
			const tripped = crashed ? this.crashGuard.recordCrash(reason) : undefined;
			const willRestart = this.crashGuard.shouldRestart();
			const next = engine.stopping
				? "the engine was restarted"
				: willRestart
					? "it will restart on the next request"
					: "Steer stopped restarting it after repeated crashes";
			failReady(new EngineError("ENGINE_EXITED", `${reason} before it was ready`));
			for (const [, request] of pending)
				request.reject(new EngineError("ENGINE_EXITED", `${reason} during ${request.method}; ${next}`));
			pending.clear();
			if (crashed) {
				this.log(signal || code ? "error" : "info", reason);
				this.emit({ type: "exited", reason, willRestart });
				if (tripped) {
					this.log("error", tripped.message);
					this.emit({ type: "crashLoop", state: tripped });
				}
			}
		});
		child.on("error", (error) => this.log("error", `engine process error: ${error.message}`));
		return engine;
	}

	/**
	 * A running engine with the caller's model and steering restored after any crash.
	 *
	 * Every request but loadModel/unloadModel waits for the restore, including requests that arrive
	 * while another one started the new process: the engine handles requests concurrently, so one sent
	 * early would run before the model is back. No process is forked for a request already cancelled,
	 * nor once the crash-loop guard has tripped.
	 */
	private async ensureEngine(method: EngineMethod, signal?: AbortSignal): Promise<RunningEngine> {
		if (this.disposed) throw new EngineError("ENGINE_EXITED", "the engine client was disposed");
		let engine = this.engine;
		if (!engine) {
			if (signal?.aborted) throw new EngineError("CANCELLED", `${method} cancelled`);
			const loop = this.crashGuard.tripped;
			if (loop) throw new EngineError("ENGINE_CRASH_LOOP", `${loop.message} (last crash: ${loop.lastCause})`);
			engine = this.start();
			this.engine = engine;
			const model = this.restoredModel;
			const steering = this.restoredSteering;
			if (model && method !== "loadModel" && method !== "unloadModel") {
				const restarted = engine;
				restarted.restored = restarted.ready.then(async () => {
					this.log("info", `restoring ${path.basename(model.modelPath)} in the restarted engine`);
					await this.send(restarted, "loadModel", model, {});
					if (steering.length > 0) await this.send(restarted, "setSteering", { entries: steering }, {});
				});
				restarted.restored.catch(() => undefined);
			}
		}
		await (method === "loadModel" || method === "unloadModel" ? engine.ready : engine.restored);
		return engine;
	}

	private send<M extends EngineMethod>(
		engine: RunningEngine,
		method: M,
		params: ParamsOf<M>,
		options: RequestOptions<ProgressOf<M>>
	): Promise<ResultOf<M>> {
		const id = this.nextId++;
		return new Promise<ResultOf<M>>((resolve, reject) => {
			if (options.signal?.aborted) {
				reject(new EngineError("CANCELLED", `${method} cancelled`));
				return;
			}
			const onAbort = () => {
				if (engine.pending.has(id)) engine.child.send({ type: "cancel", id });
			};
			options.signal?.addEventListener("abort", onAbort, { once: true });
			const cleanup = () => options.signal?.removeEventListener("abort", onAbort);
			engine.pending.set(id, {
				method,
				resolve: (value) => {
					cleanup();
					resolve(value as ResultOf<M>);
				},
				reject: (error) => {
					cleanup();
					reject(error);
				},
				onProgress: options.onProgress as ((data: unknown) => void) | undefined
			});
			engine.child.send({ type: "request", id, method, params }, (error) => {
				if (!error) return;
				engine.pending.delete(id);
				cleanup();
				reject(new EngineError("ENGINE_EXITED", `could not reach the engine process: ${error.message}`));
			});
		});
	}

	async request<M extends EngineMethod>(
		method: M,
		params: ParamsOf<M>,
		options: RequestOptions<ProgressOf<M>> = {}
	): Promise<ResultOf<M>> {
		const engine = await this.ensureEngine(method, options.signal);
		return this.send(engine, method, params, options);
	}

	async loadModel(params: LoadModelParams, options: RequestOptions<{ loaded: number }> = {}): Promise<ModelInfo> {
		const info = await this.request("loadModel", params, options);
		this.restoredModel = params;
		this.restoredSteering = [];
		return info;
	}

	async unloadModel(): Promise<void> {
		this.restoredModel = undefined;
		this.restoredSteering = [];
		if (this.engine) await this.request("unloadModel", {});
	}

	modelInfo(): Promise<ModelInfo> {
		return this.request("modelInfo", {});
	}

	async setSteering(entries: readonly SteeringEntry[]): Promise<SteeringState> {
		const state = await this.request("setSteering", { entries });
		this.restoredSteering = entries;
		return state;
	}

	async clearSteering(): Promise<SteeringState> {
		const state = await this.request("clearSteering", {});
		this.restoredSteering = [];
		return state;
	}

	/** Captures every item and returns them in order; `onItem` sees each one as it arrives. */
	async capture(
		params: CaptureParams,
		options: RequestOptions<{ item: CapturedItem; done: number; total: number }> = {}
	): Promise<CapturedItem[]> {
		const items: CapturedItem[] = [];
		await this.request("capture", params, {
			signal: options.signal,
			onProgress: (progress) => {
				items.push(progress.item);
				options.onProgress?.(progress);
			}
		});
		return items;
	}

	generate(params: GenerateParams, options: RequestOptions<{ text: string }> = {}): Promise<GenerateResult> {
		return this.request("generate", params, options);
	}

	tokenProjections(
		params: TokenProjectionsParams,
		options: RequestOptions<never> = {}
	): Promise<TokenProjectionsResult> {
		return this.request("tokenProjections", params, options);
	}

	nextTokenProbabilities(params: NextTokenParams, options: RequestOptions<never> = {}): Promise<NextTokenResult> {
		return this.request("nextTokenProbabilities", params, options);
	}

	/**
	 * What the user asks for after a crash loop (or any time): forgets the crashes, stops a running
	 * process, and starts a fresh one with the model and steering restored. Without a model it only
	 * clears the guard; the next request starts the engine.
	 */
	async restart(): Promise<void> {
		if (this.disposed) throw new EngineError("ENGINE_EXITED", "the engine client was disposed");
		this.crashGuard.reset();
		const running = this.engine;
		if (running) {
			this.engine = undefined;
			running.stopping = true;
			await this.stop(running);
		}
		if (this.restoredModel) await this.ensureEngine("modelInfo");
	}

	/** Stops the engine process: politely, then by force after the timeout. */
	async dispose(): Promise<void> {
		this.disposed = true;
		const engine = this.engine;
		this.engine = undefined;
		if (engine) await this.stop(engine);
	}

	private async stop(engine: RunningEngine): Promise<void> {
		if (engine.child.exitCode !== null || engine.child.signalCode !== null) return;
		const exited = new Promise<void>((resolve) => engine.child.once("exit", () => resolve()));
		try {
			engine.child.send({ type: "shutdown" });
		} catch {
			// Already gone.
		}
		const timeout = setTimeout(() => engine.child.kill("SIGKILL"), this.options.shutdownTimeoutMs ?? 5000);
		await exited;
		clearTimeout(timeout);
	}
}

function lastMeaningfulLine(text: string): string {
	const lines = text
		.split("\n")
		.map((line) => line.trim())
		.filter((line) => line.length > 0);
	return lines.at(-1)?.slice(0, 300) ?? "";
}
