// Bundles every process Steer runs, each in the module format its host requires:
// - the extension host loads CommonJS (`main` in package.json);
// - the engine process is an ES module because node-llama-cpp is ESM-only with top-level await;
// - the CLI is ESM for the same reason (bin/steer.cjs only forwards to it);
// - each webview page (steering panel, dataset editor, …) runs in a browser iframe.
// node-llama-cpp and the native addon stay external: they carry native binaries found at run time.
import * as esbuild from "esbuild";

const watch = process.argv.includes("--watch");
const production = process.argv.includes("--production");

const common = {
	bundle: true,
	sourcemap: production ? false : "linked",
	minify: production,
	logLevel: "info",
	legalComments: "none"
};

/** An ES module for Node that loads node-llama-cpp (and through it the native addon) at run time. */
function nodeModule(entry, outfile) {
	return {
		...common,
		entryPoints: [entry],
		outfile,
		platform: "node",
		format: "esm",
		target: "node20",
		external: ["node-llama-cpp"],
		// Bundled CommonJS helpers may call require(); give the ES module one.
		banner: {
			js: "import { createRequire as __steerCreateRequire } from 'node:module'; const require = __steerCreateRequire(import.meta.url);"
		}
	};
}

/** @type {import("esbuild").BuildOptions[]} */
const builds = [
	{
		...common,
		entryPoints: ["src/vscode/extension.ts"],
		outfile: "dist/extension.cjs",
		platform: "node",
		format: "cjs",
		target: "node20",
		external: ["vscode"]
	},
	nodeModule("src/engine/process/main.ts", "dist/engine.mjs"),
	nodeModule("src/cli/main.ts", "dist/cli.mjs"),
	webviewPage("webview/main.ts", "dist/webview.js"),
	webviewPage("webview/datasetEditor/main.ts", "dist/datasetEditor.js"),
	webviewPage("webview/vectorViewer/main.ts", "dist/vectorViewer.js")
];

/** A webview page's script: a browser bundle, one per page. */
function webviewPage(entry, outfile) {
	return { ...common, entryPoints: [entry], outfile, platform: "browser", format: "iife", target: "es2022" };
}

if (watch) {
	const contexts = await Promise.all(builds.map((options) => esbuild.context(options)));
	await Promise.all(contexts.map((context) => context.watch()));
} else {
	await Promise.all(builds.map((options) => esbuild.build(options)));
}
