// Compiles the integration tests with esbuild:
// - test/integration/suite/*.ts → CommonJS, loaded by the extension host (`vscode` is provided
//   by the host; mocha is bundled into the index);
// - test/integration/untrusted/*.test.ts → CommonJS with its own copy of the suite's index, for the
//   extension host of the untrusted-workspace instance;
// - test/integration/ui/*.ui.ts → ES modules imported by the runner (playwright-core stays external).
import * as esbuild from "esbuild";
import { readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { repoRoot } from "./tool-paths.mjs";

const sourceDir = path.join(repoRoot, "test", "integration");
export const compiledDir = path.join(repoRoot, "dist", "test-integration");

function entries(folder, suffix) {
	return readdirSync(path.join(sourceDir, folder))
		.filter((name) => name.endsWith(suffix))
		.sort()
		.map((name) => path.join(sourceDir, folder, name));
}

/** esbuild entry points named by file name alone, so files from several folders land side by side. */
function flatEntries(files) {
	return files.map((file) => ({ in: file, out: path.basename(file, ".ts") }));
}

/** @returns {Promise<{ testsIndex: string, untrustedTestsIndex: string, uiTestModules: string[] }>} */
export async function compileTests() {
	rmSync(compiledDir, { recursive: true, force: true });
	const common = { bundle: true, platform: "node", target: "node20", sourcemap: "inline", logLevel: "warning" };
	const suiteOut = path.join(compiledDir, "suite");
	const untrustedOut = path.join(compiledDir, "untrusted");
	const uiOut = path.join(compiledDir, "ui");
	const uiEntries = entries("ui", ".ui.ts");
	const index = path.join(sourceDir, "suite", "index.ts");
	const extensionHost = {
		...common,
		outExtension: { ".js": ".cjs" },
		format: "cjs",
		external: ["vscode"],
		// Mocha's parallel mode resolves a worker file; the serial runner used here never does.
		logOverride: { "require-resolve-not-external": "silent" }
	};
	await Promise.all([
		esbuild.build({
			...extensionHost,
			entryPoints: flatEntries([index, ...entries("suite", ".test.ts")]),
			outdir: suiteOut
		}),
		esbuild.build({
			...extensionHost,
			entryPoints: flatEntries([index, ...entries("untrusted", ".test.ts")]),
			outdir: untrustedOut
		}),
		esbuild.build({
			...common,
			entryPoints: uiEntries,
			outdir: uiOut,
			outExtension: { ".js": ".mjs" },
			format: "esm",
			external: ["playwright-core"]
		})
	]);
	return {
		testsIndex: path.join(suiteOut, "index.cjs"),
		untrustedTestsIndex: path.join(untrustedOut, "index.cjs"),
		uiTestModules: uiEntries.map((entry) => path.join(uiOut, path.basename(entry, ".ts") + ".mjs"))
	};
}
