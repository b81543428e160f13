// Compiles the integration tests with esbuild:
// - test/integration/suite/*.ts → CommonJS, loaded by the extension host (`vscode` is provided
//   by the host; mocha is bundled into the index);
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
		.map((name) => path.join(sourceDir, folder, name));
}

/** @returns {Promise<{ testsIndex: string, uiTestModules: string[] }>} */
export async function compileTests() {
	rmSync(compiledDir, { recursive: true, force: true });
	const common = { bundle: true, platform: "node", target: "node20", sourcemap: "inline", logLevel: "warning" };
	const suiteOut = path.join(compiledDir, "suite");
	const uiOut = path.join(compiledDir, "ui");
	const uiEntries = entries("ui", ".ui.ts");
	await Promise.all([
		esbuild.build({
			...common,
			entryPoints: [path.join(sourceDir, "suite", "index.ts"), ...entries("suite", ".test.ts")],
			outdir: suiteOut,
			outExtension: { ".js": ".cjs" },
			format: "cjs",
			external: ["vscode"],
			// Mocha's parallel mode resolves a worker file; the serial runner used here never does.
			logOverride: { "require-resolve-not-external": "silent" }
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
		uiTestModules: uiEntries.map((entry) => path.join(uiOut, path.basename(entry, ".ts") + ".mjs"))
	};
}
