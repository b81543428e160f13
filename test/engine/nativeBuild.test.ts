/**
 * scripts/build-addon.mjs: the versions it compiles in come from nativeAbi.json, and its fingerprint
 * covers the toolchain, so a changed compiler or node-addon-api rebuilds the addon. Uses a stand-in
 * compiler that records its arguments instead of compiling, so it takes well under a second.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import nativeAbi from "../../src/engine/native/nativeAbi.json";
import type { NativeAddon } from "../../src/engine/process/nativeAddon";
import { repoRoot } from "../helpers/testModels";

const buildScript = path.join(repoRoot, "scripts", "build-addon.mjs");

describe("native addon build", function () {
	this.timeout(60_000);
	let dir: string;
	before(() => {
		dir = mkdtempSync(path.join(os.tmpdir(), "steer-build-"));
	});
	after(() => rmSync(dir, { recursive: true, force: true }));

	/** A compiler stand-in: `--version` prints `version`; a compile writes its arguments to the -o file. */
	function fakeCompiler(name: string, version: string): string {
		const file = path.join(dir, name);
		writeFileSync(
			file,
			[
				"#!/bin/sh",
				`if [ "$1" = "--version" ]; then echo ${JSON.stringify(version)}; exit 0; fi`,
				'args="$*"',
				'while [ $# -gt 0 ]; do if [ "$1" = "-o" ]; then shift; printf "%s\\n" "$args" > "$1"; fi; shift; done',
				""
			].join("\n")
		);
		chmodSync(file, 0o755);
		return file;
	}

	const build = (compiler: string, outDir: string) =>
		execFileSync(process.execPath, [buildScript, "--out-dir", outDir], {
			env: { ...process.env, CXX: compiler },
			encoding: "utf8"
		});

	it("compiles nativeAbi.json's versions in and rebuilds when the compiler changes", () => {
		const outDir = path.join(dir, "out");
		const first = fakeCompiler("cxx-a", "fake-cxx 1.0 (first line)\nsecond line");
		assert.match(build(first, outDir), /built/);
		const args = readFileSync(path.join(outDir, "steer-native.node"), "utf8");
		assert.ok(args.includes(`-DSTEER_NODE_LLAMA_CPP_VERSION="${nativeAbi.nodeLlamaCppVersion}"`), args);
		assert.ok(args.includes(`-DSTEER_ADDON_ABI_VERSION=${nativeAbi.abiVersion}`), args);
		const metadata = JSON.parse(readFileSync(path.join(outDir, "steer-native.json"), "utf8"));
		assert.equal(metadata.compiler, "fake-cxx 1.0 (first line)");
		assert.equal(metadata.nodeAddonApiVersion, createRequire(__filename)("node-addon-api/package.json").version);
		assert.equal(metadata.nodeLlamaCppVersion, nativeAbi.nodeLlamaCppVersion);
		assert.equal(metadata.abiVersion, nativeAbi.abiVersion);

		assert.match(build(first, outDir), /up to date/);
		const second = fakeCompiler("cxx-b", "fake-cxx 2.0");
		assert.match(build(second, outDir), /built/);
		assert.equal(JSON.parse(readFileSync(path.join(outDir, "steer-native.json"), "utf8")).compiler, "fake-cxx 2.0");
	});

	it("the real build's metadata and the addon itself report nativeAbi.json's versions", () => {
		const metadata = JSON.parse(readFileSync(path.join(repoRoot, "build", "native", "steer-native.json"), "utf8"));
		const native = createRequire(__filename)(
			path.join(repoRoot, "build", "native", "steer-native.node")
		) as NativeAddon;
		assert.equal(metadata.nodeLlamaCppVersion, nativeAbi.nodeLlamaCppVersion);
		assert.equal(metadata.abiVersion, nativeAbi.abiVersion);
		assert.equal(native.nodeLlamaCppVersion, nativeAbi.nodeLlamaCppVersion);
		assert.equal(native.abiVersion, nativeAbi.abiVersion);
		const compiler = process.env.CXX || (process.platform === "darwin" ? "clang++" : "g++");
		assert.equal(
			metadata.compiler,
			execFileSync(compiler, ["--version"], { encoding: "utf8" }).split("\n")[0]!.trim()
		);
	});
});
