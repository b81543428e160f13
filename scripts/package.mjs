// `npm run package`: builds steer-<target>-<version>.vsix for this machine's platform, holding everything
// the installed extension needs at run time and nothing it does not: the bundles, the prebuilt native
// addon, the media, and the production dependencies (node-llama-cpp and what it loads) with only this
// platform's prebuilt llama.cpp binaries, CPU and Vulkan. CUDA builds (180–360 MB each) and other
// platforms' binaries stay out, as does the llama.cpp source bundle node-llama-cpp keeps for building
// from source (34 MB; needed only to compile, which the prebuilt binaries spare).
// Prints the .vsix's path as its last line. Needs `npm run build` first (it checks).
//   node scripts/package.mjs [--out DIR]
import { execFile } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { cp, mkdir, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** vsce's target names, by Node's platform and architecture. */
const VSCE_TARGETS = {
	"linux-x64": "linux-x64",
	"linux-arm64": "linux-arm64",
	"linux-arm": "linux-armhf",
	"darwin-x64": "darwin-x64",
	"darwin-arm64": "darwin-arm64",
	"win32-x64": "win32-x64",
	"win32-arm64": "win32-arm64"
};

/** node-llama-cpp's prebuilt-binary packages for a platform: `@node-llama-cpp/<prefix>…`. */
const BINARY_PREFIXES = {
	"linux-x64": "linux-x64",
	"linux-arm64": "linux-arm64",
	"linux-arm": "linux-armv7l",
	"darwin-x64": "mac-x64",
	"darwin-arm64": "mac-arm64",
	"win32-x64": "win-x64",
	"win32-arm64": "win-arm64"
};

/** The package's own files, relative to the checkout. */
const OWN_FILES = ["package.json", "README.md", "bin/steer.cjs", "dist", "build/native", "media"];

/** Production dependencies that are never loaded at run time (optional peers of node-llama-cpp). */
const NEVER_SHIPPED = new Set(["typescript"]);

export function platformKey(platform = process.platform, arch = process.arch) {
	const key = `${platform}-${arch}`;
	if (!VSCE_TARGETS[key])
		throw new Error(`no VS Code target for ${key}; packaging supports ${Object.keys(VSCE_TARGETS).join(", ")}`);
	return key;
}

/** Whether a node_modules package belongs in this platform's package (see the header). */
export function shipsDependency(name, key) {
	if (NEVER_SHIPPED.has(name)) return false;
	if (!name.startsWith("@node-llama-cpp/")) return true;
	const binary = name.slice("@node-llama-cpp/".length);
	const prefix = BINARY_PREFIXES[key];
	return (binary === prefix || binary.startsWith(`${prefix}-`)) && !binary.includes("cuda");
}

async function productionDependencies(extensionDir) {
	const { stdout } = await run("npm", ["ls", "--omit=dev", "--all", "--parseable"], {
		cwd: extensionDir,
		maxBuffer: 16 * 1024 * 1024
	});
	return stdout
		.split("\n")
		.map((line) => line.trim())
		.filter(
			(line) => line.length > 0 && line !== extensionDir && line.includes(`${path.sep}node_modules${path.sep}`)
		);
}

function packageName(directory) {
	return JSON.parse(readFileSync(path.join(directory, "package.json"), "utf8")).name;
}

function vsceScript(extensionDir) {
	const require = createRequire(path.join(extensionDir, "package.json"));
	try {
		return path.join(path.dirname(require.resolve("@vscode/vsce/package.json")), "vsce");
	} catch {
		throw new Error("@vscode/vsce is not installed: run `npm ci` (it is a devDependency)");
	}
}

/**
 * Stages the package under `outDir/stage-<target>` and packs it with vsce.
 * Asynchronous throughout, so a caller that pipes other processes' output keeps reading it meanwhile.
 * @returns {Promise<{ vsixPath: string, bytes: number, target: string }>}
 */
export async function packagePlatformVsix({
	extensionDir = root,
	outDir = path.join(root, "build", "package"),
	log = () => {}
} = {}) {
	const key = platformKey();
	const target = VSCE_TARGETS[key];
	for (const required of ["dist/extension.cjs", "dist/engine.mjs", "dist/cli.mjs", "build/native/steer-native.node"])
		if (!existsSync(path.join(extensionDir, required)))
			throw new Error(`${required} is missing: run \`npm run build\` before packaging`);
	const manifest = JSON.parse(readFileSync(path.join(extensionDir, "package.json"), "utf8"));
	const stage = path.join(outDir, `stage-${target}`);
	await rm(stage, { recursive: true, force: true });
	await mkdir(stage, { recursive: true });

	for (const file of OWN_FILES)
		await cp(path.join(extensionDir, file), path.join(stage, file), {
			recursive: true,
			// Source maps would double the bundles' weight; stack traces name the bundle's lines instead.
			filter: (source) => !source.endsWith(".map")
		});
	const { devDependencies: _dev, scripts: _scripts, ...shipped } = manifest;
	await writeFile(path.join(stage, "package.json"), JSON.stringify(shipped, null, 2) + "\n");

	let dependencies = 0;
	for (const directory of await productionDependencies(extensionDir)) {
		const name = packageName(directory);
		if (!shipsDependency(name, key)) {
			log(`  left out ${name}`);
			continue;
		}
		const relative = path.relative(extensionDir, directory);
		await cp(directory, path.join(stage, relative), {
			recursive: true,
			filter: (source) => {
				const inside = path.relative(directory, source);
				// Nested packages are copied on their own turn, if they ship; the source bundle is for compiling only.
				return !inside.split(path.sep).includes("node_modules") && !inside.endsWith("gitRelease.bundle");
			}
		});
		dependencies++;
	}
	log(`  staged ${dependencies} dependencies for ${target}`);

	await mkdir(outDir, { recursive: true });
	const vsixPath = path.join(outDir, `${manifest.name}-${target}-${manifest.version}.vsix`);
	await rm(vsixPath, { force: true });
	// The staged tree holds exactly what ships: the ignore file only keeps vsce's own defaults out.
	await writeFile(path.join(stage, ".vscodeignore"), "**/*.map\n");
	await run(
		process.execPath,
		[
			vsceScript(extensionDir),
			"package",
			"--target",
			target,
			// Both would otherwise ask a question on stdin and wait.
			"--allow-missing-repository",
			"--skip-license",
			// The README's relative links stay relative: there is no public repository URL to rewrite them to.
			"--no-rewrite-relative-links",
			"--out",
			vsixPath
		],
		{ cwd: stage, maxBuffer: 16 * 1024 * 1024 }
	).catch((error) => {
		throw new Error(`vsce package failed (${error.code}):\n${error.stdout ?? ""}${error.stderr ?? ""}`);
	});
	return { vsixPath, bytes: statSync(vsixPath).size, target };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	const outIndex = process.argv.indexOf("--out");
	const outDir = outIndex > 0 ? path.resolve(process.argv[outIndex + 1]) : undefined;
	const started = performance.now();
	try {
		const { vsixPath, bytes, target } = await packagePlatformVsix({ outDir, log: (line) => console.log(line) });
		console.log(
			`packaged ${target} in ${((performance.now() - started) / 1000).toFixed(0)} s: ${(bytes / 1048576).toFixed(1)} MB`
		);
		console.log(vsixPath);
	} catch (error) {
		console.error(`package: ${error.message}`);
		process.exit(1);
	}
}
