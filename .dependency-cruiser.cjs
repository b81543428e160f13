// Layer rules: data flows one way, datasets and steering math → engine (native) → editor surfaces,
// and each layer imports only what sits below it. `npm run lint` checks them with dependency-cruiser.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
	forbidden: [
		{
			name: "no-circular",
			severity: "error",
			comment: "A cycle hides which module a change really touches.",
			from: {},
			to: { circular: true }
		},
		{
			name: "steering-is-pure",
			severity: "error",
			comment: "src/steering is pure TypeScript math and formats: no editor, engine, datasets or native code.",
			from: { path: "^src/steering/" },
			to: {
				path: [
					"^src/(engine|vscode|datasets|cli)/",
					"^webview/",
					"^node_modules/(node-llama-cpp|@node-llama-cpp)/",
					"\\.node$"
				]
			}
		},
		{
			name: "vscode-only-in-editor",
			severity: "error",
			comment: "Only src/vscode (and the webview's host glue) runs inside VS Code.",
			from: { path: "^src/(steering|datasets|engine|cli|shared|files)/" },
			to: { path: ["^vscode$", "^node_modules/@types/vscode/"] }
		},
		{
			name: "datasets-below-engine",
			severity: "error",
			comment: "Datasets are schema, validation, generators and storage: no engine, editor or native code.",
			from: { path: "^src/datasets/" },
			to: {
				path: [
					"^src/(engine|vscode|cli)/",
					"^webview/",
					"^node_modules/(node-llama-cpp|@node-llama-cpp)/",
					"\\.node$"
				]
			}
		},
		{
			name: "engine-below-editor",
			severity: "error",
			comment: "The engine runs in its own process and knows nothing of datasets, the editor or the CLI.",
			from: { path: "^src/engine/" },
			to: { path: ["^src/(vscode|datasets|cli)/", "^webview/"] }
		},
		{
			name: "native-only-in-engine",
			severity: "error",
			comment: "node-llama-cpp and the addon are touched by src/engine only.",
			from: { path: "^(src|webview)/", pathNot: "^src/engine/" },
			to: {
				path: ["^node_modules/(node-llama-cpp|@node-llama-cpp)/", "\\.node$"],
				dependencyTypesNot: ["type-only"]
			}
		},
		{
			name: "webview-only-shared",
			severity: "error",
			comment: "The webview is UI only; from src/ it may use the shared message definitions alone.",
			from: { path: "^webview/" },
			to: { path: "^src/", pathNot: "^src/shared/" }
		},
		{
			name: "src-not-webview",
			severity: "error",
			comment: "The host never imports UI code; what both sides need lives in src/shared.",
			from: { path: "^src/" },
			to: { path: "^webview/" }
		},
		{
			name: "shared-is-leaf",
			severity: "error",
			comment: "src/shared holds definitions both sides of a boundary use, so it depends on nothing of ours.",
			from: { path: "^src/shared/" },
			to: { path: ["^src/(?!shared/)", "^webview/"] }
		}
	],
	options: {
		doNotFollow: { path: "node_modules" },
		tsPreCompilationDeps: true,
		tsConfig: { fileName: "tsconfig.json" },
		enhancedResolveOptions: {
			exportsFields: ["exports"],
			conditionNames: ["import", "require", "node", "default"]
		},
		exclude: { path: ["^dist/", "^build/"] }
	}
};
