/**
 * The native addon reads node-llama-cpp's internals, so the version it is built for is recorded once
 * (src/engine/native/nativeAbi.json) and everything else must agree with that record.
 */
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import nativeAbi from "../../src/engine/native/nativeAbi.json";
import os from "node:os";
import { expectedAbiVersion, expectedNodeLlamaCppVersion, rebuildAdvice } from "../../src/engine/process/nativeAddon";

const root = path.resolve(__dirname, "..", "..");
const readJson = (relative: string) => JSON.parse(readFileSync(path.join(root, relative), "utf8"));
const nativeDir = path.join("src", "engine", "native");

describe("native addon ABI record", () => {
	it("names an exact node-llama-cpp version, the one package.json and the lock file pin", () => {
		assert.match(nativeAbi.nodeLlamaCppVersion, /^\d+\.\d+\.\d+$/);
		assert.ok(
			Number.isInteger(nativeAbi.abiVersion) && nativeAbi.abiVersion >= 1,
			`abiVersion ${nativeAbi.abiVersion}`
		);
		assert.equal(readJson("package.json").dependencies["node-llama-cpp"], nativeAbi.nodeLlamaCppVersion);
		assert.equal(
			readJson("package-lock.json").packages["node_modules/node-llama-cpp"].version,
			nativeAbi.nodeLlamaCppVersion
		);
	});

	it("tells a checkout to rebuild the addon, and an installed package (no sources) to reinstall", () => {
		assert.equal(rebuildAdvice(root), "Run `npm ci && npm run build` in the checkout.");
		const installed = rebuildAdvice(os.tmpdir());
		assert.match(installed, new RegExp(`^Reinstall Steer's package for ${process.platform}-${process.arch} `));
		assert.match(installed, /datasets and vector files keep working/);
	});

	it("is what the engine's loader checks against", () => {
		assert.equal(expectedAbiVersion, nativeAbi.abiVersion);
		assert.equal(expectedNodeLlamaCppVersion, nativeAbi.nodeLlamaCppVersion);
	});

	it("is the only place the versions are written: the build script, loader and C++ sources hold no copy", () => {
		const files = [
			path.join("scripts", "build-addon.mjs"),
			path.join("src", "engine", "process", "nativeAddon.ts"),
			...readdirSync(path.join(root, nativeDir))
				.filter((name) => /\.(cpp|h)$/.test(name))
				.map((name) => path.join(nativeDir, name))
		];
		const version = nativeAbi.nodeLlamaCppVersion;
		for (const file of files) {
			const text = readFileSync(path.join(root, file), "utf8");
			assert.ok(
				!text.includes(version),
				`${file} spells out node-llama-cpp ${version}; read it from nativeAbi.json instead`
			);
			assert.doesNotMatch(
				text,
				/abiVersion\s*[:=]\s*\d|Number::New\(env,\s*\d+\s*\)/,
				`${file} spells out an ABI version`
			);
		}
	});
});
