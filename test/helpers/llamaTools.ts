import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadControlVectorFile } from "../../src/steering/gguf/controlVectorFile";
import type { SteeringVector } from "../../src/steering/vector";
import { repoRoot } from "./testModels";

/**
 * llama.cpp's own tools, built by `node scripts/build-llama-tools.mjs` from the llama.cpp source that
 * node-llama-cpp ships, for the llama.cpp release the installed node-llama-cpp uses.
 */
export interface LlamaTools {
	readonly folder: string;
	readonly tag: string;
	readonly commit: string;
	readonly completion: string;
	readonly server: string;
	readonly cvectorGenerator: string;
}

/** The llama.cpp tag and commit of the source bundled in the installed node-llama-cpp. */
export function bundledLlamaCpp(): { tag: string; commit: string } {
	const llamaDir = path.join(repoRoot, "node_modules", "node-llama-cpp", "llama");
	const { tag } = JSON.parse(readFileSync(path.join(llamaDir, "llama.cpp.info.json"), "utf8")) as { tag: string };
	// A git bundle starts with "# v2 git bundle" and then "<sha> <ref>" lines; read the head without git.
	const header = readFileSync(path.join(llamaDir, "gitRelease.bundle")).subarray(0, 4096).toString("latin1");
	const commit = /^([0-9a-f]{40}) /m.exec(header)?.[1] ?? "";
	return { tag, commit };
}

/** Where build-llama-tools.mjs keeps the tools: $STEER_LLAMA_TOOLS_DIR/<tag>/bin, default ~/.cache/steer/llama-tools. */
export function llamaToolsDir(tag: string): string {
	const root = process.env.STEER_LLAMA_TOOLS_DIR || path.join(os.homedir(), ".cache", "steer", "llama-tools");
	return path.resolve(root, tag, "bin");
}

/** The tools for the installed node-llama-cpp's llama.cpp, or undefined with the reason. */
export function findLlamaTools(): { tools?: LlamaTools; reason?: string } {
	const { tag, commit } = bundledLlamaCpp();
	const folder = llamaToolsDir(tag);
	const exe = process.platform === "win32" ? ".exe" : "";
	const file = (name: string) => path.join(folder, name + exe);
	const remedy = "run node scripts/build-llama-tools.mjs";
	const missing = ["llama-completion", "llama-server", "llama-cvector-generator"].filter(
		(name) => !existsSync(file(name))
	);
	if (missing.length > 0)
		return { reason: `llama.cpp ${tag} tools (${missing.join(", ")}) not found in ${folder} (${remedy})` };
	let builtFrom: string | undefined;
	try {
		builtFrom = (
			JSON.parse(readFileSync(path.join(folder, "steer-llama-tools.json"), "utf8")) as { commit?: string }
		).commit;
	} catch {
		builtFrom = undefined;
	}
	if (builtFrom !== commit)
		return {
			reason: `the llama.cpp tools in ${folder} were built from ${builtFrom ?? "an unknown commit"}, not ${commit} (${remedy})`
		};
	return {
		tools: {
			folder,
			tag,
			commit,
			completion: file("llama-completion"),
			server: file("llama-server"),
			cvectorGenerator: file("llama-cvector-generator")
		}
	};
}

/** The tools, or skips the calling test/suite with the reason when they are absent. */
export function llamaToolsOrSkip(context: Mocha.Context): LlamaTools {
	const { tools, reason } = findLlamaTools();
	if (!tools) {
		console.log(`      skipped: ${reason}`);
		context.skip();
	}
	return tools!;
}

export interface ToolResult {
	readonly code: number | null;
	readonly stdout: string;
	readonly stderr: string;
	readonly seconds: number;
}

/** Runs a llama.cpp tool with no stdin and never throws on a non-zero exit. */
export function runTool(file: string, args: readonly string[], timeoutMs = 120_000): Promise<ToolResult> {
	return new Promise((resolve, reject) => {
		const started = performance.now();
		const child = spawn(file, args, { stdio: ["ignore", "pipe", "pipe"], timeout: timeoutMs });
		const stdout: Buffer[] = [];
		const stderr: Buffer[] = [];
		child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
		child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
		child.on("error", reject);
		child.on("close", (code) =>
			resolve({
				code,
				stdout: Buffer.concat(stdout).toString("utf8"),
				stderr: Buffer.concat(stderr).toString("utf8"),
				seconds: (performance.now() - started) / 1000
			})
		);
	});
}

/**
 * Runs `llama-completion` and returns its complete output. The tool prints through llama.cpp's log
 * thread, whose logger is deliberately never destroyed (llama.cpp issue 22142), so the last lines can be
 * lost when the process exits first: about one run in fifty through a pipe on a busy machine. It ends
 * every run with "\n\n" on stdout, after everything else it printed (stdout and stderr share one queue,
 * written in order), so a run without it is repeated.
 */
export async function runLlamaCompletion(file: string, args: readonly string[], attempts = 8): Promise<ToolResult> {
	let result: ToolResult | undefined;
	for (let attempt = 0; attempt < attempts; attempt++) {
		result = await runTool(file, args);
		if (result.code !== 0 || result.stdout.endsWith("\n\n")) return result;
	}
	throw new Error(`llama-completion's output was cut short ${attempts} times: ${JSON.stringify(result!.stdout)}`);
}

/**
 * `llama-cvector-generator --method mean` on contrast pairs (positives and negatives one per line, as it
 * reads them), on the CPU with one thread: its vector, a unit direction at every layer 1..n−1.
 */
export async function cvectorGeneratorVector(
	tools: LlamaTools,
	modelPath: string,
	pairs: readonly { readonly positive: string; readonly negative: string }[]
): Promise<SteeringVector> {
	const folder = mkdtempSync(path.join(os.tmpdir(), "steer-cvector-"));
	try {
		const positives = path.join(folder, "positive.txt");
		const negatives = path.join(folder, "negative.txt");
		writeFileSync(positives, pairs.map((pair) => pair.positive).join("\n") + "\n");
		writeFileSync(negatives, pairs.map((pair) => pair.negative).join("\n") + "\n");
		const output = path.join(folder, "cvector.gguf");
		const generated = await runTool(tools.cvectorGenerator, [
			...["--model", modelPath, "--positive-file", positives, "--negative-file", negatives],
			...["--method", "mean", "--output", output, "--threads", "1", "--ctx-size", "256", "--n-gpu-layers", "0"]
		]);
		if (generated.code !== 0) throw new Error(`llama-cvector-generator failed:\n${generated.stderr.slice(-3000)}`);
		return (await loadControlVectorFile(output)).vector;
	} finally {
		rmSync(folder, { recursive: true, force: true });
	}
}
