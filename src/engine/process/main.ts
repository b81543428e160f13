/**
 * Entry point of the engine process (bundled to dist/engine.mjs and forked by EngineClient).
 *
 * Everything native — node-llama-cpp, Steer's addon, llama.cpp threads, the GPU — lives in this
 * process, so an abort or an out-of-memory kill here never takes the editor down with it.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { EngineError } from "../errors";
import type {
	ChatMessage,
	EngineMessage,
	EngineMethod,
	HostMessage,
	ParamsOf,
	ProgressOf,
	ResultOf
} from "../protocol";
import { findSteerRoot } from "../repoRoot";
import type { Log } from "./backend";
import { ModelSession } from "./session";

const steerRoot = findSteerRoot(path.dirname(fileURLToPath(import.meta.url)));

function send(message: EngineMessage): void {
	process.send?.(message);
}

const log: Log = (level, message) => send({ type: "log", level, message });

let session: ModelSession | undefined;
let loading: Promise<ModelSession> | undefined;
const running = new Map<number, AbortController>();

function requireSession(): ModelSession {
	if (!session) throw new EngineError("NO_MODEL", "no model is loaded; load a GGUF model first");
	return session;
}

type Handler<M extends EngineMethod> = (
	params: ParamsOf<M>,
	signal: AbortSignal,
	progress: (data: ProgressOf<M>) => void
) => Promise<ResultOf<M>>;

const handlers: { [M in EngineMethod]: Handler<M> } = {
	async loadModel(params) {
		if (!params || typeof params.modelPath !== "string" || params.modelPath.length === 0)
			throw new EngineError("BAD_REQUEST", "loadModel needs a modelPath");
		if (loading) await loading.catch(() => undefined);
		const previous = session;
		session = undefined;
		await previous?.dispose();
		loading = ModelSession.load(params, steerRoot, log);
		try {
			session = await loading;
		} finally {
			loading = undefined;
		}
		return session.info;
	},
	async unloadModel() {
		const previous = session;
		session = undefined;
		await previous?.dispose();
		return { unloaded: previous !== undefined };
	},
	async modelInfo() {
		return requireSession().info;
	},
	async capture(params, signal, progress) {
		return requireSession().capture(params, signal, (item, done, total) => progress({ item, done, total }));
	},
	async setSteering(params) {
		if (!params || !Array.isArray(params.entries))
			throw new EngineError("BAD_REQUEST", "setSteering needs a list of entries");
		return requireSession().setSteering(params.entries);
	},
	async clearSteering() {
		return requireSession().setSteering([]);
	},
	async generate(params, signal, progress) {
		// Text arrives a token at a time; one IPC message per token would cost more than decoding a token
		// of a small model. Chunks are coalesced and sent at most every few milliseconds.
		const stream = coalescedText((text) => progress({ text }), progressIntervalMs);
		try {
			return await requireSession().generate(params, signal, stream.push);
		} finally {
			stream.flush();
		}
	},
	async tokenProjections(params, signal) {
		return requireSession().tokenProjections(params, signal);
	},
	async nextTokenProbabilities(params, signal) {
		return requireSession().nextTokenProbabilities(params, signal);
	},
	async tokenize(params) {
		const current = requireSession();
		const tokens = current.tokenizeWithBos(params.text);
		return { tokens, pieces: current.pieces(tokens) };
	},
	async formatChats(params) {
		if (!params || !Array.isArray(params.conversations) || !params.conversations.every(isConversation))
			throw new EngineError(
				"BAD_REQUEST",
				"formatChats needs a list of conversations of {role, content} messages"
			);
		return requireSession().formatChats(params.conversations);
	},
	async crash() {
		process.abort();
	}
};

const progressIntervalMs = 15;

function coalescedText(
	emit: (text: string) => void,
	intervalMs: number
): { push: (text: string) => void; flush: () => void } {
	let pending = "";
	let timer: NodeJS.Timeout | undefined;
	const flush = () => {
		if (timer) clearTimeout(timer);
		timer = undefined;
		if (pending) emit(pending);
		pending = "";
	};
	return {
		push: (text) => {
			pending += text;
			timer ??= setTimeout(flush, intervalMs);
		},
		flush
	};
}

function toSerializableError(error: unknown): EngineError {
	if (error instanceof EngineError) return error;
	const message = error instanceof Error ? error.message : String(error);
	if (error instanceof RangeError || error instanceof TypeError) return new EngineError("BAD_REQUEST", message);
	if (/cancel|abort/i.test(message)) return new EngineError("CANCELLED", message);
	return new EngineError("INTERNAL", message);
}

async function handleRequest(id: number, method: EngineMethod, params: unknown): Promise<void> {
	const controller = new AbortController();
	running.set(id, controller);
	try {
		const handler = handlers[method] as Handler<EngineMethod> | undefined;
		if (!handler) throw new EngineError("BAD_REQUEST", `unknown engine method ${JSON.stringify(method)}`);
		const result = await handler(params as never, controller.signal, (data) =>
			send({ type: "progress", id, data })
		);
		if (controller.signal.aborted) throw new EngineError("CANCELLED", `${method} cancelled`);
		send({ type: "result", id, result });
	} catch (error) {
		const serializable = controller.signal.aborted
			? new EngineError("CANCELLED", `${method} cancelled`)
			: toSerializableError(error);
		send({ type: "error", id, error: serializable.serialize() });
	} finally {
		running.delete(id);
	}
}

async function shutdown(): Promise<void> {
	for (const controller of running.values()) controller.abort();
	try {
		await session?.dispose();
	} finally {
		process.exit(0);
	}
}

process.on("message", (raw: HostMessage) => {
	switch (raw?.type) {
		case "request":
			void handleRequest(raw.id, raw.method, raw.params);
			break;
		case "cancel":
			running.get(raw.id)?.abort();
			break;
		case "shutdown":
			void shutdown();
			break;
		default:
			log("warn", `ignored a malformed message from the host`);
	}
});

// The host owns this process: when its IPC channel closes, nothing can use the engine any more.
process.on("disconnect", () => void shutdown());
send({ type: "ready", pid: process.pid });

function isConversation(value: unknown): value is ChatMessage[] {
	return (
		Array.isArray(value) &&
		value.every(
			(message) =>
				typeof message === "object" &&
				message !== null &&
				["system", "user", "assistant"].includes((message as ChatMessage).role) &&
				typeof (message as ChatMessage).content === "string"
		)
	);
}
