/**
 * Native addon behaviour whose failure mode is a crash (an abort or a segfault that would take the
 * test runner down), each run in a process of its own by test/engine/fixtures/nativeChild.mjs: the
 * process must exit normally, with the addon's refusal as a JavaScript error.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { repoRoot } from "../helpers/testModels";
import { writeTinyModel } from "../helpers/tinyModelFile";

const addonPath = path.join(repoRoot, "build", "native", "steer-native.node");
const child = path.join(repoRoot, "test", "engine", "fixtures", "nativeChild.mjs");

type Outcome = { returned?: unknown; error?: string };

/** Runs a scenario; fails with its output unless it exited with status 0 and printed a result. */
function runNativeChild<T>(
	scenario: string,
	modelFile: string,
	options: { addon?: string; env?: NodeJS.ProcessEnv } = {}
): T {
	const run = spawnSync(process.execPath, [child, scenario, options.addon ?? addonPath, modelFile], {
		cwd: repoRoot,
		encoding: "utf8",
		timeout: 120_000,
		env: { ...process.env, ...options.env }
	});
	const output = `status ${run.status}, signal ${run.signal}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`;
	assert.equal(run.signal, null, `the ${scenario} process was killed\n${output}`);
	assert.equal(run.status, 0, `the ${scenario} process failed\n${output}`);
	const lines = run.stdout.trim().split("\n");
	return JSON.parse(lines[lines.length - 1]!) as T;
}

describe("native addon in a process of its own", function () {
	this.timeout(180_000);
	let tiny: ReturnType<typeof writeTinyModel>;
	before(() => {
		tiny = writeTinyModel({ nLayer: 2, nEmbd: 32, nHead: 2, seed: 5 });
	});
	after(() => tiny.remove());

	it("binds to the llama.cpp node-llama-cpp's loaded addon uses, not another variant's libllama mapped earlier", function () {
		const variant = path.join(
			repoRoot,
			"node_modules",
			"@node-llama-cpp",
			`${process.platform}-${process.arch}-vulkan`,
			"bins",
			`${process.platform}-${process.arch}-vulkan`
		);
		const decoy = path.join(variant, "libllama.vulkan.v0.4.0.so");
		if (process.platform !== "linux" || !existsSync(decoy)) this.skip(); // needs a second prebuilt variant's libllama
		const result = runNativeChild<{
			decoyMapped: boolean;
			binding: { addon: string; llamaLibrary: string; ggmlBaseLibrary: string };
			shape: { nLayer: number; nEmbd: number };
			capturedWidth: number;
			bound: { llamaLibrary: string; ggmlBaseLibrary: string; addons: string[] }[];
			mapped: string[];
		}>("decoy-library", tiny.file, { env: { STEER_DECOY_LIBRARY: decoy } });
		assert.ok(
			result.decoyMapped,
			`the decoy library did not stay mapped, so this test proves nothing\n${result.mapped.join("\n")}`
		);
		const { binding } = result;
		const addonDir = path.dirname(realpathSync(binding.addon));
		assert.notEqual(addonDir, realpathSync(variant), "node-llama-cpp was asked for the CPU variant");
		assert.notEqual(realpathSync(binding.llamaLibrary), realpathSync(decoy));
		const besideAddon = result.mapped.filter(
			(file) => path.dirname(file) === addonDir && /^libllama\.(.+\.)?v[\d.]+\.so$/.test(path.basename(file))
		);
		assert.deepEqual(besideAddon, [realpathSync(binding.llamaLibrary)]);
		assert.ok(result.mapped.includes(realpathSync(binding.ggmlBaseLibrary)), binding.ggmlBaseLibrary);
		assert.deepEqual(result.shape, { nLayer: 2, nEmbd: 32 });
		assert.equal(result.capturedWidth, 32);
		assert.deepEqual(result.bound, [
			{ llamaLibrary: binding.llamaLibrary, ggmlBaseLibrary: binding.ggmlBaseLibrary, addons: [binding.addon] }
		]);
	});

	it("refuses other wrapped objects under AddonContext's class name by their C++ type, naming what they are", () => {
		const result = runNativeChild<Record<string, Outcome>>("foreign-objects", tiny.file);
		// Steer's own object: its library is found and reopened, and the failed vtable lookup's dlerror()
		// text ends up in the message (dlerror() is read once: a second call returns NULL).
		assert.match(
			result.steerCapture!.error ?? "",
			/^the object is not node-llama-cpp's AddonContext \(it was made by .*steer-native\.node, which is not node-llama-cpp's addon \(.*_ZTV12AddonContext.*\)\)$/
		);
		assert.match(
			result.addonModel!.error ?? "",
			/^the object is not node-llama-cpp's AddonContext \(it is its AddonModel\)$/
		);
		assert.match(
			result.addonSampler!.error ?? "",
			/^the object is not node-llama-cpp's AddonContext \(it is another class of .*llama-addon\.node\)$/
		);
		assert.match(
			result.plainObject!.error ?? "",
			/^the object is not node-llama-cpp's AddonContext \(it wraps no native object\)$/
		);
		assert.match(result.bindOnAddonModel!.error ?? "", /it is its AddonModel/);
		assert.deepEqual(result.genuine!.returned, { nLayer: 2, nEmbd: 32 });
	});

	it("refuses a context whose layout differs from the headers the addon was built with, instead of reading through it", function () {
		this.timeout(300_000);
		// A build against node-llama-cpp headers where AddonContext's `model` pointer and a size field
		// have traded places, as an upstream reordering would look to a stale build: the field read as
		// the model holds a byte count, which the unchecked read used to dereference (SIGSEGV).
		const dir = mkdtempSync(path.join(os.tmpdir(), "steer-layout-"));
		try {
			const headers = path.join(dir, "addon");
			cpSync(path.join(repoRoot, "node_modules", "node-llama-cpp", "llama", "addon"), headers, {
				recursive: true
			});
			const header = path.join(headers, "AddonContext.h");
			const original = readFileSync(header, "utf8");
			const model = "        AddonModel* model;\n";
			const size = "        uint64_t loadedContextMemorySize = 0;\n";
			assert.ok(
				original.includes(model) && original.includes(size),
				"AddonContext.h changed; update this test's edit"
			);
			writeFileSync(header, original.replace(model, "@MODEL@").replace(size, model).replace("@MODEL@", size));
			const out = path.join(dir, "out");
			execFileSync(
				process.execPath,
				[path.join(repoRoot, "scripts", "build-addon.mjs"), "--out-dir", out, "--addon-headers", headers],
				{ stdio: "pipe" }
			);
			const result = runNativeChild<Record<string, Outcome>>("mismatched-layout", tiny.file, {
				addon: path.join(out, "steer-native.node")
			});
			const refusal =
				/^node-llama-cpp's internal layout does not match the one Steer was built for \(the context's model field does not point to node-llama-cpp's AddonModel\); reinstall node-llama-cpp \d+\.\d+\.\d+ exactly and rebuild Steer's native addon$/;
			for (const entry of ["contextShape", "setControlVector", "tokenize", "captureContext"])
				assert.match(
					result[entry]!.error ?? `returned ${JSON.stringify(result[entry]!.returned)}`,
					refusal,
					entry
				);
			// bind() needs only the object's class and addon, which the layout does not affect.
			assert.ok(result.bind!.returned, JSON.stringify(result.bind));
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});

	it("leaves a capture context usable when creating a capture's worker throws", () => {
		const result = runNativeChild<Record<string, Outcome>>("capture-worker-fault", tiny.file);
		assert.match(result.faulted!.error ?? "", /^injected fault: the capture worker could not be created$/);
		assert.deepEqual(result.next, { returned: 32 }, "the next capture must not find the context busy");
		assert.deepEqual(result.setControlVector, { returned: "done" });
		assert.deepEqual(result.dispose, { returned: "done" });
	});

	it("a capture context outliving its model refuses to run and is disposed without freeing into the freed weights", () => {
		const result = runNativeChild<Record<string, Outcome>>("model-disposed-first", tiny.file);
		assert.deepEqual(result.before, { returned: 32 });
		assert.deepEqual(result.capture, { error: "the capture context's model was disposed" });
		assert.deepEqual(result.setControlVector, { error: "the capture context's model was disposed" });
		assert.deepEqual(result.dispose, { returned: "done" });
		assert.match(result.wrongModel!.error ?? "", /model must be the LlamaModel of the context/);
	});
});
