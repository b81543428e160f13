/**
 * Loads a GGUF model with everything the engine runs on it: node-llama-cpp's context for generation,
 * Steer's capture context on the same weights, and the native bridge between them. Each native
 * resource is registered on the caller's DisposalStack as soon as it exists, so a load that fails
 * half-way frees exactly what it had created, newest first.
 */
import type { Llama, LlamaCompletion, LlamaContext, LlamaContextSequence, LlamaModel } from "node-llama-cpp";
import { EngineError } from "../errors";
import { checkModelFile } from "../modelFile";
import type { LoadModelParams, ModelInfo } from "../protocol";
import { chooseBackend, type Log } from "./backend";
import type { DisposalStack } from "./disposalStack";
import type { NativeCaptureContext } from "./nativeAddon";
import { NativeBridge } from "./nativeBridge";
import { resolveThreads } from "./threads";

export interface LoadedModel {
	readonly info: ModelInfo;
	readonly model: LlamaModel;
	readonly context: LlamaContext;
	readonly sequence: LlamaContextSequence;
	readonly completion: LlamaCompletion;
	readonly bridge: NativeBridge;
	readonly captureContext: NativeCaptureContext;
}

export async function loadModel(
	params: LoadModelParams,
	steerRoot: string,
	log: Log,
	resources: DisposalStack
): Promise<LoadedModel> {
	const headerProblem = await checkModelFile(params.modelPath);
	const threads = resolveThreads(params.threads);
	const { llama, warnings } = await chooseBackend(params.gpu ?? "auto", log);
	const model = resources.use(await loadModelWithFallback(llama, params, warnings, log, headerProblem));
	const { LlamaCompletion } = await import("node-llama-cpp");
	const contextSize = Math.min(params.contextSize ?? Math.min(model.trainContextSize, 4096), model.trainContextSize);
	if (!Number.isInteger(contextSize) || contextSize < 8)
		throw new EngineError("BAD_REQUEST", `contextSize must be a whole number ≥ 8, got ${params.contextSize}`);
	const context = resources.use(await model.createContext({ contextSize, threads, sequences: 1 }));
	const bridge = await NativeBridge.attach(context, steerRoot);
	const shape = bridge.contextShape();
	// Registered after the model: freeing its llama_context reads the model's weights.
	const captureContext = resources.use(
		bridge.createCaptureContext(model, {
			contextSize: context.contextSize,
			batchSize: Math.min(context.contextSize, 512),
			threads
		})
	);
	const captureInfo = captureContext.info();
	const sequence = context.getSequence();
	const completion = new LlamaCompletion({ contextSequence: sequence });
	const metadata = model.fileInfo.metadata as unknown as {
		general?: { architecture?: string; name?: string; file_type?: number };
		tokenizer?: { chat_template?: string };
	};
	const info: ModelInfo = {
		modelPath: params.modelPath,
		architecture: metadata.general?.architecture ?? "unknown",
		name: metadata.general?.name,
		nLayer: shape.nLayer,
		nEmbd: shape.nEmbd,
		contextLength: model.trainContextSize,
		contextSize: context.contextSize,
		vocabSize: captureInfo.nVocab,
		fileType: metadata.general?.file_type,
		hasChatTemplate: typeof metadata.tokenizer?.chat_template === "string",
		supportsInfill: completion.infillSupported,
		backend: llama.gpu === false ? "cpu" : llama.gpu,
		gpuLayers: model.gpuLayers,
		threads,
		warnings
	};
	for (const warning of warnings) log("warn", warning);
	return { info, model, context, sequence, completion, bridge, captureContext };
}

/** `headerProblem`: what Steer's GGUF reader found wrong with the file, told when llama.cpp fails too. */
async function loadModelWithFallback(
	llama: Llama,
	params: LoadModelParams,
	warnings: string[],
	log: Log,
	headerProblem?: string
): Promise<LlamaModel> {
	const gpuLayers = params.gpuLayers ?? "auto";
	const failed = (reason: string) =>
		new EngineError(
			"MODEL_LOAD_FAILED",
			`could not load ${params.modelPath}: ${reason}${headerProblem ? `; its GGUF header is invalid: ${headerProblem}` : ""}`
		);
	try {
		return await llama.loadModel({ modelPath: params.modelPath, gpuLayers });
	} catch (error) {
		const reason = error instanceof Error ? error.message.split("\n")[0]! : String(error);
		if (llama.gpu === false || gpuLayers === 0) throw failed(reason);
		const warning = `Loading with GPU offload failed (${reason}); loading on the CPU instead.`;
		warnings.push(warning);
		log("warn", warning);
		try {
			return await llama.loadModel({ modelPath: params.modelPath, gpuLayers: 0 });
		} catch (cpuError) {
			throw failed(cpuError instanceof Error ? cpuError.message.split("\n")[0]! : String(cpuError));
		}
	}
}
