// Builds Steer's native addon (src/engine/native) into build/native/steer-native.node.
//
// The addon is compiled against the exact llama.cpp headers of the release node-llama-cpp bundles
// (extracted offline from the git bundle it ships) and node-llama-cpp's own addon headers, because it
// reads node-llama-cpp's native objects. It links nothing from llama.cpp: symbols are resolved at run
// time from the libraries node-llama-cpp loaded. Skips work when nothing changed.
//
// The versions it is built for come from src/engine/native/nativeAbi.json (also read by the engine at
// run time) and reach the C++ code as -D defines.
//
// Options, for tests that build a variant: --out-dir DIR (instead of build/native) and
// --addon-headers DIR (a copy of node-llama-cpp's llama/addon headers to compile against).
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, renameSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const sourceDir = path.join(root, "src", "engine", "native");
const nativeAbi = JSON.parse(readFileSync(path.join(sourceDir, "nativeAbi.json"), "utf8"));
const expectedNodeLlamaCppVersion = nativeAbi.nodeLlamaCppVersion;

const require = createRequire(import.meta.url);

function fail(message) {
	console.error(`build-addon: ${message}`);
	process.exit(1);
}

function run(command, args, options = {}) {
	try {
		return execFileSync(command, args, { stdio: ["ignore", "pipe", "pipe"], encoding: "utf8", ...options });
	} catch (error) {
		const detail = error.code === "ENOENT" ? `${command} is not installed` : (error.stderr || error.message).trim();
		fail(`${command} ${args.slice(0, 3).join(" ")}… failed: ${detail}`);
	}
}

function option(name) {
	const index = process.argv.indexOf(name);
	if (index < 0) return undefined;
	const value = process.argv[index + 1];
	if (value === undefined || value.startsWith("--")) fail(`${name} needs a value`);
	return path.resolve(value);
}

const outDir = option("--out-dir") ?? path.join(root, "build", "native");
const outFile = path.join(outDir, "steer-native.node");
const metadataFile = path.join(outDir, "steer-native.json");

if (process.platform !== "linux" && process.platform !== "darwin")
	fail(`building the native addon on ${process.platform} is not supported yet (Linux and macOS are)`);

// node-llama-cpp's "exports" hide package.json from require.resolve; look it up the way Node does.
const nodeLlamaCppDir = (require.resolve.paths("node-llama-cpp") ?? [])
	.map((dir) => path.join(dir, "node-llama-cpp"))
	.find((dir) => existsSync(path.join(dir, "package.json")));
if (!nodeLlamaCppDir) fail("node-llama-cpp is not installed; run `npm ci` first");
const nodeLlamaCppVersion = JSON.parse(readFileSync(path.join(nodeLlamaCppDir, "package.json"), "utf8")).version;
if (nodeLlamaCppVersion !== expectedNodeLlamaCppVersion)
	fail(
		`node-llama-cpp ${nodeLlamaCppVersion} is installed, but Steer's addon reads its internals and needs exactly ${expectedNodeLlamaCppVersion}; run \`npm ci\``
	);

const llamaInfo = JSON.parse(readFileSync(path.join(nodeLlamaCppDir, "llama", "llama.cpp.info.json"), "utf8"));
const addonHeaders = option("--addon-headers") ?? path.join(nodeLlamaCppDir, "llama", "addon");
const bundle = path.join(nodeLlamaCppDir, "llama", "gitRelease.bundle");
const nodeAddonApiDir = require("node-addon-api").include.replace(/^"|"$/g, "");
const nodeAddonApiVersion = JSON.parse(readFileSync(path.join(nodeAddonApiDir, "package.json"), "utf8")).version;
const compiler = process.env.CXX || (process.platform === "darwin" ? "clang++" : "g++");
const compilerVersion = run(compiler, ["--version"]).split("\n")[0].trim();

function findNodeHeaders() {
	const candidates = [
		process.env.npm_config_nodedir && path.join(process.env.npm_config_nodedir, "include", "node"),
		path.join(path.dirname(process.execPath), "..", "include", "node")
	].filter(Boolean);
	const found = candidates.find((dir) => existsSync(path.join(dir, "node_api.h")));
	if (!found)
		fail(
			`Node's C headers (node_api.h) were not found in ${candidates.join(" or ")}; install Node's development headers or set npm_config_nodedir`
		);
	return found;
}

function extractLlamaHeaders() {
	const headersDir = path.join(root, "build", "llama-headers", llamaInfo.tag);
	if (existsSync(path.join(headersDir, ".complete"))) return headersDir;
	if (!existsSync(bundle))
		fail(`node-llama-cpp's llama.cpp source bundle is missing (${path.relative(root, bundle)})`);
	const started = Date.now();
	const scratch = path.join(os.tmpdir(), `steer-llama-headers-${process.pid}`);
	rmSync(scratch, { recursive: true, force: true });
	mkdirSync(scratch, { recursive: true });
	run("git", ["init", "-q"], { cwd: scratch });
	run("git", ["fetch", "-q", bundle, "HEAD"], { cwd: scratch });
	const archive = path.join(scratch, "headers.tar");
	run("git", ["archive", "--output", archive, "FETCH_HEAD", "include", "ggml/include"], { cwd: scratch });
	rmSync(headersDir, { recursive: true, force: true });
	mkdirSync(headersDir, { recursive: true });
	run("tar", ["-xf", archive, "-C", headersDir]);
	rmSync(scratch, { recursive: true, force: true });
	writeFileSync(path.join(headersDir, ".complete"), "");
	console.log(`build-addon: extracted llama.cpp ${llamaInfo.tag} headers in ${Date.now() - started} ms`);
	return headersDir;
}

/** Every file under `dir` (relative paths, sorted), for the fingerprint. */
function filesUnder(dir, prefix = "") {
	return readdirSync(path.join(dir, prefix), { withFileTypes: true })
		.flatMap((entry) => {
			const relative = path.join(prefix, entry.name);
			return entry.isDirectory() ? filesUnder(dir, relative) : entry.isFile() ? [relative] : [];
		})
		.sort();
}

const sources = readdirSync(sourceDir)
	.filter((name) => name.endsWith(".cpp"))
	.sort();
// A rebuild happens when anything that shapes the binary changes: the sources, the versions it reads
// the internals of, node-addon-api, the compiler, and node-llama-cpp's addon headers.
const fingerprint = createHash("sha256");
fingerprint.update(`${nodeLlamaCppVersion}\n${llamaInfo.tag}\n${process.platform}-${process.arch}\n`);
fingerprint.update(`node-addon-api ${nodeAddonApiVersion}\n${compiler}: ${compilerVersion}\n`);
for (const name of readdirSync(sourceDir).sort())
	fingerprint.update(name).update(readFileSync(path.join(sourceDir, name)));
for (const name of filesUnder(addonHeaders).filter((name) => name.endsWith(".h")))
	fingerprint.update(`addon/${name}`).update(readFileSync(path.join(addonHeaders, name)));
const digest = fingerprint.digest("hex");

if (
	existsSync(outFile) &&
	existsSync(metadataFile) &&
	JSON.parse(readFileSync(metadataFile, "utf8")).sourceDigest === digest
) {
	console.log("build-addon: up to date");
	process.exit(0);
}

const llamaHeaders = extractLlamaHeaders();
const started = Date.now();
mkdirSync(outDir, { recursive: true });
const temporary = `${outFile}.${process.pid}.tmp`;
const args = [
	"-std=c++17",
	"-O2",
	"-fPIC",
	"-shared",
	"-fexceptions",
	"-fvisibility=hidden",
	"-DNAPI_VERSION=7",
	"-DNAPI_CPP_EXCEPTIONS",
	"-DNODE_ADDON_API_DISABLE_DEPRECATED",
	`-DSTEER_NODE_LLAMA_CPP_VERSION=${JSON.stringify(expectedNodeLlamaCppVersion)}`,
	`-DSTEER_ADDON_ABI_VERSION=${Number(nativeAbi.abiVersion)}`,
	`-I${findNodeHeaders()}`,
	`-I${nodeAddonApiDir}`,
	`-I${addonHeaders}`,
	`-I${path.join(llamaHeaders, "include")}`,
	`-I${path.join(llamaHeaders, "ggml", "include")}`,
	...sources.map((name) => path.join(sourceDir, name)),
	"-o",
	temporary,
	...(process.platform === "darwin" ? ["-undefined", "dynamic_lookup"] : ["-ldl"])
];
run(compiler, args);
renameSync(temporary, outFile);
writeFileSync(
	metadataFile,
	JSON.stringify(
		{
			sourceDigest: digest,
			nodeLlamaCppVersion,
			llamaCppRelease: llamaInfo.tag,
			abiVersion: nativeAbi.abiVersion,
			nodeAddonApiVersion,
			compiler: compilerVersion
		},
		null,
		"\t"
	) + "\n"
);
console.log(`build-addon: built ${path.relative(root, outFile)} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
