// Builds llama.cpp's own command-line tools (llama-completion, llama-server, llama-cvector-generator)
// from the exact llama.cpp source that node-llama-cpp ships (llama/gitRelease.bundle), so that Steer's
// vectors can be checked against llama.cpp itself, with the same llama.cpp version.
//
// CPU backend, Release, static, only those targets. The result is cached outside the checkout, in
// $STEER_LLAMA_TOOLS_DIR/<llama.cpp tag>/bin (default ~/.cache/steer/llama-tools/<tag>/bin), so every
// clone and CI run on the machine shares it; nothing is done when the binaries for that tag and commit
// are already there. The folder with the binaries is printed as the last line.
//
// Needs git, cmake (≥ 3.14) and a C/C++ compiler; no network. Options: --jobs N (default: the number of
// CPUs, at most 2 unless STEER_BUILD_JOBS says otherwise), --force (rebuild), --keep-build (keep the
// source and build folders next to bin/, for debugging).
import { execFileSync, spawnSync } from "node:child_process";
import {
	existsSync,
	mkdirSync,
	readFileSync,
	renameSync,
	rmSync,
	writeFileSync,
	copyFileSync,
	chmodSync
} from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";

const llamaToolTargets = ["llama-completion", "llama-server", "llama-cvector-generator"];

const require = createRequire(import.meta.url);

function fail(message) {
	console.error(`build-llama-tools: ${message}`);
	process.exit(1);
}

function log(message) {
	console.error(`build-llama-tools: ${message}`);
}

function has(command, args = ["--version"]) {
	const result = spawnSync(command, args, { stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });
	return result.error ? undefined : (result.stdout || result.stderr).split("\n")[0].trim();
}

function run(command, args, options = {}) {
	const result = spawnSync(command, args, { stdio: ["ignore", "inherit", "inherit"], ...options });
	if (result.error) fail(`${command} could not be started: ${result.error.message}`);
	if (result.status !== 0)
		fail(`${command} ${args.slice(0, 4).join(" ")}… failed (exit ${result.status ?? result.signal})`);
}

function option(name) {
	const index = process.argv.indexOf(name);
	if (index < 0) return undefined;
	const value = process.argv[index + 1];
	if (value === undefined || value.startsWith("--")) fail(`${name} needs a value`);
	return value;
}

// node-llama-cpp's "exports" hide package.json from require.resolve; look it up the way Node does.
const nodeLlamaCppDir = (require.resolve.paths("node-llama-cpp") ?? [])
	.map((dir) => path.join(dir, "node-llama-cpp"))
	.find((dir) => existsSync(path.join(dir, "package.json")));
if (!nodeLlamaCppDir) fail("node-llama-cpp is not installed; run `npm ci` first");
const nodeLlamaCppVersion = JSON.parse(readFileSync(path.join(nodeLlamaCppDir, "package.json"), "utf8")).version;
const { tag } = JSON.parse(readFileSync(path.join(nodeLlamaCppDir, "llama", "llama.cpp.info.json"), "utf8"));
if (!/^[\w.-]+$/.test(tag ?? "")) fail(`unexpected llama.cpp tag ${JSON.stringify(tag)} in llama.cpp.info.json`);
const bundle = path.join(nodeLlamaCppDir, "llama", "gitRelease.bundle");
if (!existsSync(bundle))
	fail(`${bundle} is missing (node-llama-cpp ${nodeLlamaCppVersion} ships the llama.cpp source there)`);

if (!has("git"))
	fail("git is not installed; it is needed to unpack llama.cpp's source from node-llama-cpp's git bundle");
let commit;
try {
	commit = execFileSync("git", ["bundle", "list-heads", bundle], { encoding: "utf8" }).trim().split(/\s+/)[0];
} catch (error) {
	fail(`git could not read ${bundle}: ${error.message}`);
}

const cacheRoot = path.resolve(
	process.env.STEER_LLAMA_TOOLS_DIR || path.join(os.homedir(), ".cache", "steer", "llama-tools")
);
const tagDir = path.join(cacheRoot, tag);
const binDir = path.join(tagDir, "bin");
const exe = process.platform === "win32" ? ".exe" : "";
const stampFile = path.join(binDir, "steer-llama-tools.json");

function upToDate() {
	if (!llamaToolTargets.every((target) => existsSync(path.join(binDir, target + exe)))) return false;
	try {
		return JSON.parse(readFileSync(stampFile, "utf8")).commit === commit;
	} catch {
		return false;
	}
}

if (upToDate() && !process.argv.includes("--force")) {
	log(`llama.cpp ${tag} (${commit.slice(0, 10)}) tools are already built`);
	console.log(binDir);
	process.exit(0);
}

// Tools: say plainly what is missing before spending minutes.
const cmakeVersion = has("cmake");
if (!cmakeVersion)
	fail(
		"cmake is not installed; it is needed to build llama.cpp's tools (Debian/Ubuntu: apt-get install cmake, macOS: brew install cmake)"
	);
const compilerCandidates = process.platform === "darwin" ? ["clang++", "c++", "g++"] : ["g++", "c++", "clang++"];
const cxx = process.env.CXX || compilerCandidates.find((candidate) => has(candidate));
const cxxVersion = cxx && has(cxx);
if (!cxxVersion)
	fail(
		`no C++ compiler found (${process.env.CXX ? `CXX=${process.env.CXX}` : compilerCandidates.join(", ")}); install one (Debian/Ubuntu: apt-get install g++, macOS: xcode-select --install)`
	);
const cc =
	process.env.CC ||
	(/clang/.test(cxx) ? cxx.replace(/clang\+\+/, "clang") : cxx.replace(/g\+\+$/, "gcc").replace(/c\+\+$/, "cc"));
if (!has(cc)) fail(`no C compiler found (${cc}); install one next to ${cxx}`);
const ninja = has("ninja");
const jobs = Number(option("--jobs") ?? process.env.STEER_BUILD_JOBS ?? Math.min(2, os.availableParallelism()));
if (!Number.isInteger(jobs) || jobs < 1) fail("--jobs needs a positive whole number");

log(
	`building llama.cpp ${tag} (${commit.slice(0, 10)}, from node-llama-cpp ${nodeLlamaCppVersion}): ${llamaToolTargets.join(", ")}`
);
log(`with ${cmakeVersion}, ${cxxVersion}${ninja ? `, ninja ${ninja}` : ""}, ${jobs} job(s), into ${binDir}`);
const started = Date.now();

// Work in a private folder, move the binaries into bin/ only when all of them are built.
mkdirSync(tagDir, { recursive: true });
const workDir = path.join(tagDir, `work-${process.pid}`);
rmSync(workDir, { recursive: true, force: true });
const sourceDir = path.join(workDir, "source");
const buildDir = path.join(workDir, "build");
mkdirSync(sourceDir, { recursive: true });

const gitQuiet = { cwd: sourceDir, stdio: ["ignore", "ignore", "inherit"] };
run("git", ["init", "-q"], gitQuiet);
run("git", ["fetch", "-q", bundle, "HEAD"], gitQuiet);
run("git", ["-c", "advice.detachedHead=false", "checkout", "-q", "FETCH_HEAD"], gitQuiet);

// CPU only, static (so bin/ needs nothing else), no network at build time (no web UI download, no
// TLS), OpenMP off as in node-llama-cpp's prebuilt binaries, optimised for this machine's CPU as
// llama.cpp's default build is.
const cmakeOptions = {
	CMAKE_BUILD_TYPE: "Release",
	CMAKE_C_COMPILER: cc,
	CMAKE_CXX_COMPILER: cxx,
	BUILD_SHARED_LIBS: "OFF",
	GGML_NATIVE: "ON",
	GGML_BACKEND_DL: "OFF",
	GGML_CPU: "ON",
	GGML_OPENMP: "OFF",
	GGML_CUDA: "OFF",
	GGML_VULKAN: "OFF",
	GGML_METAL: "OFF",
	GGML_BLAS: "OFF",
	GGML_RPC: "OFF",
	LLAMA_BUILD_COMMON: "ON",
	LLAMA_BUILD_TOOLS: "ON",
	LLAMA_BUILD_SERVER: "ON",
	LLAMA_BUILD_TESTS: "OFF",
	LLAMA_BUILD_EXAMPLES: "OFF",
	LLAMA_BUILD_APP: "OFF",
	LLAMA_BUILD_UI: "OFF",
	LLAMA_USE_PREBUILT_UI: "OFF",
	LLAMA_OPENSSL: "OFF",
	LLAMA_TOOLS_INSTALL: "OFF"
};
run(
	"cmake",
	[
		"-S",
		sourceDir,
		"-B",
		buildDir,
		...(ninja ? ["-G", "Ninja"] : []),
		"--log-level=WARNING",
		...Object.entries(cmakeOptions).map(([name, value]) => `-D${name}=${value}`)
	],
	{ stdio: ["ignore", "ignore", "inherit"] }
);
run("cmake", ["--build", buildDir, "--config", "Release", "--parallel", String(jobs), "--target", ...llamaToolTargets]);

const builtDir = [path.join(buildDir, "bin"), path.join(buildDir, "bin", "Release")].find((dir) =>
	existsSync(path.join(dir, llamaToolTargets[0] + exe))
);
if (!builtDir) fail(`the build finished but ${llamaToolTargets[0]} is not in ${path.join(buildDir, "bin")}`);

const newBin = path.join(workDir, "bin");
mkdirSync(newBin);
for (const target of llamaToolTargets) {
	const file = path.join(builtDir, target + exe);
	if (!existsSync(file)) fail(`the build finished but ${file} is missing`);
	copyFileSync(file, path.join(newBin, target + exe));
	chmodSync(path.join(newBin, target + exe), 0o755);
}
const seconds = Math.round((Date.now() - started) / 1000);
writeFileSync(
	path.join(newBin, "steer-llama-tools.json"),
	JSON.stringify(
		{
			tag,
			commit,
			nodeLlamaCppVersion,
			targets: llamaToolTargets,
			cmakeOptions: { ...cmakeOptions, CMAKE_C_COMPILER: undefined, CMAKE_CXX_COMPILER: undefined },
			compiler: cxxVersion,
			cmake: cmakeVersion,
			jobs,
			buildSeconds: seconds,
			builtAt: new Date().toISOString()
		},
		undefined,
		"\t"
	) + "\n"
);
rmSync(binDir, { recursive: true, force: true });
renameSync(newBin, binDir);
if (process.argv.includes("--keep-build")) log(`source and build kept in ${workDir}`);
else rmSync(workDir, { recursive: true, force: true });

log(`built in ${Math.floor(seconds / 60)} min ${seconds % 60} s`);
console.log(binDir);
