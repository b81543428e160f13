// Lint rules for the whole tree. Formatting is Prettier's job (npm run lint checks both); the
// layer rules live in .dependency-cruiser.cjs.
import js from "@eslint/js";
import globals from "globals";
import unicorn from "eslint-plugin-unicorn";
import tseslint from "typescript-eslint";

export default tseslint.config(
	{ ignores: ["node_modules/", "dist/", "build/", ".cache/", "test-results/", "examples/", "docs/"] },
	js.configs.recommended,
	...tseslint.configs.recommended,
	{
		languageOptions: {
			ecmaVersion: 2022,
			sourceType: "module",
			globals: { ...globals.node }
		},
		rules: {
			"@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
			"@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
			eqeqeq: ["error", "always", { null: "ignore" }],
			"no-console": "off"
		}
	},
	{
		// The webview runs in a browser; the engine, the CLI, the scripts and the tests in Node.
		files: ["webview/**/*.ts", "test/integration/ui/**/*.ts"],
		languageOptions: { globals: { ...globals.browser, ...globals.node } }
	},
	{
		// One file-naming convention: modules are camelCase (a test adds `.test` / `.ui`); the scripts
		// in scripts/ are commands and keep kebab-case names like npm's own.
		files: ["src/**/*.ts", "webview/**/*.ts", "test/**/*.ts"],
		plugins: { unicorn },
		rules: { "unicorn/filename-case": ["error", { case: "camelCase" }] }
	},
	{
		files: ["scripts/**/*.{mjs,ts}"],
		plugins: { unicorn },
		rules: { "unicorn/filename-case": ["error", { case: "kebabCase", ignore: [/\.d\.mts$/] }] }
	},
	{
		files: ["**/*.cjs"],
		languageOptions: { sourceType: "commonjs", globals: { ...globals.node } },
		rules: { "@typescript-eslint/no-require-imports": "off" }
	}
);
