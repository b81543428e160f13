// `npm start`: sets everything up on a fresh clone and opens VS Code (code-server, on 127.0.0.1) with
// Steer installed the way a user installs it (a packaged .vsix) and an example workspace.
//   STEER_PORT      port to listen on (default: a free one)
//   STEER_WORKSPACE the folder to open (default: .cache/example-workspace, created from examples/)
// Stops code-server on Ctrl-C. Nothing the user made in the workspace is overwritten on later starts.
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { ensureSetup, root, step } from "./ensure-setup.mjs";

ensureSetup();
step("install code-server and its Node runtime (cached after the first run)", process.execPath, [
	"scripts/integration/install-tools.mjs"
]);

const { startCodeServer } = await import("./integration/code-server.mjs");
const { prepareUiExtension } = await import("./integration/ui-extension.mjs");
const { stopAll } = await import("./integration/child-processes.mjs");

const cacheDir = path.join(root, ".cache", "start");
const workspace = path.resolve(process.env.STEER_WORKSPACE ?? path.join(root, ".cache", "example-workspace"));
const models = path.resolve(process.env.STEER_TEST_MODELS ?? path.join(root, "..", "shared", "models"));

function prepareWorkspace() {
	if (existsSync(workspace)) {
		console.log(`workspace: ${workspace} (kept as it is)`);
		return;
	}
	cpSync(path.join(root, "examples", "workspace"), workspace, { recursive: true });
	cpSync(path.join(root, "examples", "datasets"), path.join(workspace, ".steer", "datasets"), {
		recursive: true,
		filter: (source) => !source.endsWith(".md")
	});
	const tinyStories = path.join(models, "TinyStories-656K.f16.gguf");
	const settings = {
		"steer.threads": "auto",
		...(existsSync(tinyStories) ? { "steer.modelPath": tinyStories } : {})
	};
	mkdirSync(path.join(workspace, ".vscode"), { recursive: true });
	writeFileSync(path.join(workspace, ".vscode", "settings.json"), JSON.stringify(settings, null, "\t") + "\n");
	console.log(
		`workspace: created ${workspace}${existsSync(tinyStories) ? " (steer.modelPath: the TinyStories model)" : ""}`
	);
}

prepareWorkspace();
mkdirSync(cacheDir, { recursive: true });
// A fresh install of the current build on every start; the user's settings and state persist.
rmSync(path.join(cacheDir, "ui-extensions"), { recursive: true, force: true });
const manifest = (await import(path.join(root, "package.json"), { with: { type: "json" } })).default;
console.log("\n== package and install the extension");
const { extensionsDir } = await prepareUiExtension({
	scratchDir: cacheDir,
	extensionDir: root,
	manifest,
	log: (line) => console.log(line)
});

const server = await startCodeServer({
	scratchDir: cacheDir,
	name: "server",
	extensionsDir,
	port: process.env.STEER_PORT ? Number(process.env.STEER_PORT) : undefined
});
const url = `${server.url}/?folder=${encodeURIComponent(workspace)}`;
console.log(`\nSteer is running in VS Code at:\n\n    ${url}\n\nOpen it in a browser; press Ctrl-C here to stop.`);

const stop = async () => {
	console.log("\nstopping code-server…");
	await stopAll();
	process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
await new Promise(() => undefined);
