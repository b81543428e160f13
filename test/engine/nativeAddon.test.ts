/**
 * The native addon's guards: it reads node-llama-cpp internals, so anything that is not exactly the
 * object and build it expects must be refused with an error, never a crash.
 */
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { EngineClient } from "../../src/engine/client";
import type { EngineError } from "../../src/engine/errors";
import type { NativeAddon } from "../../src/engine/process/nativeAddon";
import { repoRoot } from "../helpers/testModels";
import { writeTinyModel } from "../helpers/tinyModelFile";
import nativeAbi from "../../src/engine/native/nativeAbi.json";

const addonPath = path.join(repoRoot, "build", "native", "steer-native.node");

describe("native addon guards", function () {
	this.timeout(60_000);
	let tiny: ReturnType<typeof writeTinyModel>;
	before(() => {
		tiny = writeTinyModel({ nLayer: 2, nEmbd: 32, nHead: 2, seed: 5 });
	});
	after(() => tiny.remove());

	it("refuses objects that are not a live node-llama-cpp context, including other wrapped objects", async () => {
		const { getLlama } = await import("node-llama-cpp");
		const llama = await getLlama({ gpu: false, build: "never", logLevel: "error" as never });
		const model = await llama.loadModel({ modelPath: tiny.file });
		const context = await model.createContext({ contextSize: 64, threads: 1 });
		const native = createRequire(__filename)(addonPath) as NativeAddon;
		try {
			const internal = (context as unknown as { _ctx: unknown })._ctx;
			const binding = native.bind(internal);
			// Bound to the libllama beside the llama-addon.node that node-llama-cpp loaded (its RUNPATH is
			// $ORIGIN), as this process's memory map shows them.
			const mapped = [
				...new Set(
					readFileSync("/proc/self/maps", "utf8")
						.split("\n")
						.map((line) => line.split(/\s+/)[5] ?? "")
				)
			];
			assert.ok(
				mapped.includes(realpathSync(binding.addon)) && path.basename(binding.addon) === "llama-addon.node",
				binding.addon
			);
			const besideAddon = mapped.filter(
				(file) =>
					path.dirname(file) === path.dirname(realpathSync(binding.addon)) &&
					/^libllama\.(.+\.)?v[\d.]+\.so$/.test(path.basename(file))
			);
			assert.deepEqual(besideAddon, [realpathSync(binding.llamaLibrary)]);
			assert.ok(
				mapped.includes(realpathSync(binding.ggmlBaseLibrary)) &&
					path.basename(binding.ggmlBaseLibrary).startsWith("libggml-base"),
				binding.ggmlBaseLibrary
			);
			assert.deepEqual(
				native.boundLibraries().find((library) => library.llamaLibrary === binding.llamaLibrary)?.addons,
				[binding.addon]
			);
			assert.deepEqual(native.contextShape(internal), { nLayer: 2, nEmbd: 32 });
			assert.throws(() => native.contextShape({}), /not node-llama-cpp's AddonContext/);
			assert.throws(() => native.contextShape(42), /expected node-llama-cpp's native context object/);
			const capture = new native.CaptureContext(internal, model, { contextSize: 64, threads: 1 });
			assert.throws(() => native.contextShape(capture), /not node-llama-cpp's AddonContext/);
			assert.throws(
				() => capture.setControlVector(new Float32Array(5), 1, 1),
				/needs \(2 - 1 layers\) x 32 = 32/
			);
			assert.throws(() => capture.setControlVector(new Float32Array(32), 0, 1), /block 0 cannot be steered/);
			await assert.rejects(
				async () =>
					capture.capture(Int32Array.of(1, 99999), {
						layers: Int32Array.of(0),
						start: 0,
						end: 2,
						mean: false
					}),
				/outside the vocabulary/
			);
			capture.dispose();
			await context.dispose();
			assert.throws(() => native.contextShape(internal), /not loaded or was disposed/);
		} finally {
			await model.dispose();
		}
	});

	it("makes the engine refuse an addon built for another node-llama-cpp, with the fix in the message", async () => {
		const dir = mkdtempSync(path.join(os.tmpdir(), "steer-addon-"));
		try {
			copyFileSync(addonPath, path.join(dir, "steer-native.node"));
			writeFileSync(path.join(dir, "steer-native.json"), JSON.stringify({ nodeLlamaCppVersion: "3.0.0" }));
			const engine = new EngineClient({
				steerRoot: repoRoot,
				env: { STEER_NATIVE_ADDON: path.join(dir, "steer-native.node") }
			});
			try {
				await assert.rejects(
					engine.loadModel({ modelPath: tiny.file, gpu: false, threads: 1 }),
					(error: EngineError) =>
						error.code === "NATIVE_UNAVAILABLE" &&
						error.message.includes(
							`built for node-llama-cpp 3.0.0, but ${nativeAbi.nodeLlamaCppVersion} is installed. Run \`npm ci && npm run build\` in the checkout.`
						)
				);
			} finally {
				await engine.dispose();
			}
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});

	it("falls back to the CPU with a warning when the requested GPU backend cannot be used", async function () {
		const engine = new EngineClient({ steerRoot: repoRoot });
		try {
			const info = await engine.loadModel({ modelPath: tiny.file, gpu: "vulkan", threads: 1, contextSize: 64 });
			if (info.backend === "vulkan") this.skip(); // a machine with a working Vulkan GPU
			assert.equal(info.backend, "cpu");
			assert.equal(info.gpuLayers, 0);
			assert.ok(
				info.warnings.some((warning) =>
					/vulkan GPU backend could not be used.*falling back to the CPU/.test(warning)
				),
				info.warnings.join("\n")
			);
		} finally {
			await engine.dispose();
		}
	});

	it("disposes the capture context, while the model still exists, when loading fails after creating it", async () => {
		// A stand-in for the addon: the real one, except that the capture context's first info() throws
		// and dispose() records whether the model was still loaded when it ran.
		const dir = mkdtempSync(path.join(os.tmpdir(), "steer-addon-"));
		const record = path.join(dir, "record.txt");
		const wrapper = path.join(dir, "wrapper.cjs");
		writeFileSync(
			wrapper,
			`
const fs = require("node:fs");
const real = require(${JSON.stringify(addonPath)});
let failures = 1;
function CaptureContext(addonContext, model, options) {
	const capture = new real.CaptureContext(addonContext, model, options);
	const { info, dispose } = capture;
	// The native methods are read-only prototype properties: shadow them with own properties.
	Object.defineProperty(capture, "info", { value: () => {
		if (failures-- > 0) throw new Error("injected failure after the capture context was created");
		return info.call(capture);
	} });
	Object.defineProperty(capture, "dispose", { value: () => {
		let state = "loaded";
		try { real.contextShape(addonContext); } catch (error) { state = error.message; }
		fs.appendFileSync(${JSON.stringify(record)}, "capture disposed; model " + state + "\\n");
		return dispose.call(capture);
	} });
	return capture;
}
module.exports = { ...real, CaptureContext };
`
		);
		const engine = new EngineClient({ steerRoot: repoRoot, env: { STEER_NATIVE_ADDON: wrapper } });
		try {
			await assert.rejects(
				engine.loadModel({ modelPath: tiny.file, gpu: false, threads: 1, contextSize: 64 }),
				/injected failure after the capture context was created/
			);
			assert.equal(readFileSync(record, "utf8"), "capture disposed; model loaded\n");
			// The engine process is intact: the next load succeeds.
			const info = await engine.loadModel({ modelPath: tiny.file, gpu: false, threads: 1, contextSize: 64 });
			assert.equal(info.nLayer, 2);
		} finally {
			await engine.dispose();
			rmSync(dir, { recursive: true, force: true });
		}
	});
});
