#!/usr/bin/env node
// The CLI is an ES module (node-llama-cpp is ESM-only); npm's bin shim needs a plain script to start it.
import("../dist/cli.mjs").catch((error) => {
	process.stderr.write(`steer: error: cannot start (${error.message}); run \`npm run build\` first\n`);
	process.exitCode = 1;
});
