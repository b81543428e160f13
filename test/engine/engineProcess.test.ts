/** The engine process as a unit of failure: crashes, kills and cancellation cost one request, no more. */
import assert from "node:assert/strict";
import { EngineClient, type EngineEvent } from "../../src/engine/client";
import type { EngineError } from "../../src/engine/errors";
import { killEngineProcess } from "../helpers/killEngine";
import { settlesAtOnce } from "../helpers/settlesAtOnce";
import { repoRoot } from "../helpers/testModels";
import { writeTinyModel } from "../helpers/tinyModelFile";

describe("engine process", function () {
	this.timeout(120_000);
	let tiny: ReturnType<typeof writeTinyModel>;
	let engine: EngineClient;

	before(() => {
		tiny = writeTinyModel({ nLayer: 3, nEmbd: 64, seed: 3 });
	});
	after(() => tiny.remove());
	beforeEach(() => {
		engine = new EngineClient({
			steerRoot: repoRoot,
			log: process.env.STEER_TEST_LOG
				? (level, message) => console.log(new Date().toISOString().slice(14, 23), level, message.slice(0, 120))
				: undefined
		});
	});
	afterEach(async () => engine.dispose());

	const load = () => engine.loadModel({ modelPath: tiny.file, gpu: false, threads: 1, contextSize: 512 });

	it("reports a process killed mid-generation and restarts with the same model on the next request", async () => {
		await load();
		const baseline = await engine.generate({ prompt: "a b c", maxTokens: 12 });
		const pid = engine.pid!;
		let firstChunk: () => void = () => undefined;
		const started = new Promise<void>((resolve) => (firstChunk = resolve));
		const doomed = engine.generate({ prompt: "a b c", maxTokens: 400 }, { onProgress: () => firstChunk() });
		await started;
		process.kill(pid, "SIGKILL");
		await assert.rejects(
			doomed,
			(error: EngineError) =>
				error.code === "ENGINE_EXITED" && /killed by SIGKILL during generate/.test(error.message)
		);
		const after = await engine.generate({ prompt: "a b c", maxTokens: 12 });
		assert.notEqual(engine.pid, pid);
		assert.deepEqual(after.tokens, baseline.tokens);
	});

	it("survives a native abort inside the engine", async () => {
		await load();
		await assert.rejects(
			engine.request("crash", {}),
			(error: EngineError) => error.code === "ENGINE_EXITED" && /SIGABRT/.test(error.message)
		);
		const info = await engine.modelInfo();
		assert.equal(info.nLayer, 3);
	});

	it("restores steering after a restart", async () => {
		const info = await load();
		const direction = new Float32Array(info.nEmbd).fill(0.5);
		await engine.setSteering([
			{ vector: { nEmbd: info.nEmbd, directions: new Map([[1, direction]]) }, strength: 40 }
		]);
		const steered = await engine.generate({ prompt: "a b c", maxTokens: 12 });
		await killEngineProcess(engine);
		const again = await engine.generate({ prompt: "a b c", maxTokens: 12 });
		assert.deepEqual(again.tokens, steered.tokens);
	});

	it("cancels a generation and a capture, then serves the next request", async () => {
		await load();
		const controller = new AbortController();
		const generation = engine.generate(
			{ prompt: "a b c", maxTokens: 500 },
			{ signal: controller.signal, onProgress: () => controller.abort() }
		);
		await assert.rejects(generation, (error: EngineError) => error.code === "CANCELLED");

		const captureController = new AbortController();
		const items = Array.from({ length: 200 }, (_, i) => ({ text: `text number ${i} a b c d e f` }));
		let received = 0;
		const capture = engine.capture(
			{ items, positions: { select: "last" } },
			{
				signal: captureController.signal,
				onProgress: () => {
					received++;
					if (received === 3) captureController.abort();
				}
			}
		);
		await assert.rejects(capture, (error: EngineError) => error.code === "CANCELLED");
		assert.ok(received < items.length, `capture ran to the end (${received} items) despite cancellation`);

		const result = await engine.generate({ prompt: "a b c", maxTokens: 5 });
		assert.equal(result.tokens.length, 5);
	});

	it("answers requests without a model and with bad model files with clear errors", async () => {
		await assert.rejects(
			engine.generate({ prompt: "x" }),
			(error: EngineError) => error.code === "NO_MODEL" && /load a GGUF model/.test(error.message)
		);
		await assert.rejects(
			engine.loadModel({ modelPath: `${tiny.file}.missing`, gpu: false }),
			/model file not found/
		);
		await assert.rejects(engine.loadModel({ modelPath: __filename, gpu: false }), /is not a GGUF file/);
	});

	it("ignores a suffix, and says so, when the model has no fill-in-the-middle tokens", async () => {
		const info = await load();
		assert.equal(info.supportsInfill, false);
		const plain = await engine.generate({ prompt: "a b c", maxTokens: 6 });
		const withSuffix = await engine.generate({ prompt: "a b c", suffix: " x y z", maxTokens: 6 });
		assert.equal(withSuffix.infill, false);
		assert.deepEqual(withSuffix.tokens, plain.tokens);
	});

	it("shuts the process down on dispose", async () => {
		await load();
		const pid = engine.pid!;
		await engine.dispose();
		assert.throws(() => process.kill(pid, 0), /ESRCH/);
	});
});

describe("engine restart under concurrent requests", function () {
	this.timeout(120_000);
	it("restores the model before any of the requests that arrive together after a crash runs", async () => {
		const tiny = writeTinyModel({ nLayer: 3, nEmbd: 64, seed: 3 });
		const engine = new EngineClient({ steerRoot: repoRoot });
		try {
			await engine.loadModel({ modelPath: tiny.file, gpu: false, threads: 1, contextSize: 256 });
			const params = { prompt: "a b c", maxTokens: 6 };
			const expected = await engine.generate(params);
			const exited = new Promise<void>((resolve) =>
				engine.onEvent((event) => event.type === "exited" && resolve())
			);
			process.kill(engine.pid!, "SIGKILL");
			await exited;
			const results = await Promise.all([engine.generate(params), engine.generate(params), engine.modelInfo()]);
			assert.deepEqual(results[0].tokens, expected.tokens);
			assert.deepEqual(results[1].tokens, expected.tokens);
			assert.equal(results[2].nLayer, 3);
		} finally {
			await engine.dispose();
			tiny.remove();
		}
	});
});

describe("engine crash loop", function () {
	this.timeout(120_000);
	let tiny: ReturnType<typeof writeTinyModel>;
	let engine: EngineClient;
	let events: EngineEvent[];

	before(() => {
		tiny = writeTinyModel({ nLayer: 3, nEmbd: 64, seed: 3 });
	});
	after(() => tiny.remove());
	beforeEach(() => {
		engine = new EngineClient({ steerRoot: repoRoot });
		events = [];
		engine.onEvent((event) => events.push(event));
	});
	afterEach(async () => engine.dispose());

	const params = { prompt: "a b c", maxTokens: 8 };
	const started = () => events.filter((event) => event.type === "started").length;

	/** Kills the running engine and waits until the client has seen it die. */
	const kill = () => killEngineProcess(engine);

	it("stops restarting after three crashes within a minute: the next request fails at once and forks nothing, until restart()", async () => {
		const info = await engine.loadModel({ modelPath: tiny.file, gpu: false, threads: 1, contextSize: 256 });
		await engine.setSteering([
			{
				vector: { nEmbd: info.nEmbd, directions: new Map([[1, new Float32Array(info.nEmbd).fill(0.5)]]) },
				strength: 40
			}
		]);
		const steered = await engine.generate(params);

		await kill();
		assert.deepEqual(
			(await engine.generate(params)).tokens,
			steered.tokens,
			"the first crash is restarted, model and steering restored"
		);
		await kill();
		assert.deepEqual((await engine.generate(params)).tokens, steered.tokens, "so is the second");
		const forked = started();
		await kill();
		const exits = events.filter((event) => event.type === "exited");
		assert.deepEqual(
			exits.map((event) => event.type === "exited" && event.willRestart),
			[true, true, false]
		);
		const loop = events.find((event) => event.type === "crashLoop");
		assert.ok(loop && loop.type === "crashLoop", "the third crash should be reported as a crash loop");
		assert.equal(loop.state.crashes, 3);
		assert.match(loop.state.lastCause, /killed by SIGKILL/);
		assert.equal(engine.crashLoop?.crashes, 3);

		for (const request of [
			() => engine.generate(params),
			() => engine.modelInfo(),
			() => engine.loadModel({ modelPath: tiny.file, gpu: false })
		]) {
			const refused = request();
			assert.ok(
				await settlesAtOnce(refused),
				"a request after a crash loop should fail at once, without starting a process"
			);
			await assert.rejects(refused, (error: EngineError) => {
				assert.equal(error.code, "ENGINE_CRASH_LOOP");
				assert.match(
					error.message,
					/^the engine crashed 3 times in 60 s; Steer stopped restarting it — see the log, then run "Steer: Restart Engine" \(last crash: .*killed by SIGKILL\)$/
				);
				return true;
			});
		}
		assert.equal(engine.pid, undefined, "no engine process should run after a crash loop");
		assert.equal(started(), forked, "no engine process should have been forked after the crash loop");

		await engine.restart();
		assert.equal(engine.crashLoop, undefined, "restart() clears the guard");
		assert.ok(engine.pid !== undefined, "restart() starts the engine when a model is loaded");
		assert.equal(started(), forked + 1);
		assert.deepEqual(
			(await engine.generate(params)).tokens,
			steered.tokens,
			"restart() restores the model and steering"
		);
	});

	it("restart() of a running engine stops it without counting a crash, and restores the model", async () => {
		await engine.loadModel({ modelPath: tiny.file, gpu: false, threads: 1, contextSize: 256 });
		const baseline = await engine.generate(params);
		const pid = engine.pid;
		await engine.restart();
		assert.ok(
			engine.pid !== undefined && engine.pid !== pid,
			`a new engine should run (was ${pid}, now ${engine.pid})`
		);
		assert.equal(events.filter((event) => event.type === "exited").length, 0, "a restart asked for is no crash");
		assert.deepEqual((await engine.generate(params)).tokens, baseline.tokens);
	});

	it("forks no process for a request cancelled before the engine restarts", async () => {
		await engine.loadModel({ modelPath: tiny.file, gpu: false, threads: 1, contextSize: 256 });
		await kill();
		const forked = started();
		const controller = new AbortController();
		controller.abort();
		await assert.rejects(
			engine.generate(params, { signal: controller.signal }),
			(error: EngineError) => error.code === "CANCELLED"
		);
		// The client forks synchronously, so a process started for the request would show in pid now.
		assert.equal(engine.pid, undefined, "a cancelled request must not start the engine");
		assert.equal((await engine.generate(params)).tokens.length, params.maxTokens, "the next request restarts it");
		assert.equal(started(), forked + 1, "only the next request should have forked an engine process");
	});
});
