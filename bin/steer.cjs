#!/usr/bin/env node
// The CLI is an ES module (node-llama-cpp is ESM-only); npm's bin shim needs a plain script to start it.
const { existsSync } = require("node:fs");
const path = require("node:path");

const bundle = path.join(__dirname, "..", "dist", "cli.mjs");
import("../dist/cli.mjs").catch((error) => {
	// Only a checkout can lack the bundle (a package always carries it), so only then is building the fix.
	const advice = existsSync(bundle)
		? ""
		: existsSync(path.join(__dirname, "..", "package-lock.json"))
			? "; run `npm ci && npm run build` in the checkout first"
			: "; the Steer package is incomplete: reinstall it";
	process.stderr.write(`steer: error: cannot start (${error.message})${advice}\n`);
	process.exitCode = 1;
});
