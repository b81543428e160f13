// How Suite 2 (and `npm start`) get the extension into the workbench: packaged as this platform's
// self-contained .vsix by scripts/package.mjs (the same package users install) and installed with
// `code-server --install-extension` into an extensions folder outside the checkout, with no path back
// to the checkout's node_modules, so a file or dependency missing from the package shows up as a
// failure. Set STEER_INTEGRATION_UI_EXTENSION=development to load the development folder instead
// (faster, but blind to packaging mistakes).
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import path from "node:path";
import { packagePlatformVsix } from "../package.mjs";
import { runCodeServerCommand } from "./code-server.mjs";

// The goal for a linux-x64 package (it weighed 41 MB when this was written); a bigger one means
// something like another platform's binaries or build outputs got in.
const MAX_VSIX_BYTES = 120 * 1024 * 1024;

/**
 * @returns {Promise<{ extensionsDir: string | undefined, developmentPayload(port: number): string | undefined }>}
 */
export async function prepareUiExtension({ scratchDir, extensionDir, manifest, log }) {
	if (process.env.STEER_INTEGRATION_UI_EXTENSION === "development") {
		log("  using the development folder (STEER_INTEGRATION_UI_EXTENSION=development)");
		return {
			extensionsDir: undefined,
			developmentPayload: (port) =>
				JSON.stringify([["extensionDevelopmentPath", `vscode-remote://127.0.0.1:${port}${extensionDir}`]])
		};
	}

	const started = performance.now();
	const { vsixPath, bytes } = await packagePlatformVsix({ extensionDir, outDir: path.join(scratchDir, "package") });
	if (bytes > MAX_VSIX_BYTES)
		throw new Error(`the .vsix weighs ${(bytes / 1048576).toFixed(0)} MB, more than the 120 MB allowed`);
	log(
		`  packaged ${path.basename(vsixPath)} (${(bytes / 1048576).toFixed(1)} MB, ${((performance.now() - started) / 1000).toFixed(0)} s)`
	);

	const extensionsDir = path.join(scratchDir, "ui-extensions");
	const userDataDir = path.join(scratchDir, "install-user-data");
	mkdirSync(extensionsDir, { recursive: true });
	await runCodeServerCommand({ scratchDir, extensionsDir, userDataDir, args: ["--install-extension", vsixPath] });

	// A platform-specific package installs as publisher.name-version-target.
	const prefix = `${manifest.publisher}.${manifest.name}-${manifest.version}`.toLowerCase();
	const installed = readdirSync(extensionsDir).find((entry) => entry.toLowerCase().startsWith(prefix));
	const installedDir = path.join(extensionsDir, installed ?? prefix);
	if (!existsSync(path.join(installedDir, "package.json"))) {
		throw new Error(
			`code-server reported success but ${path.basename(installedDir)} is not in the extensions folder`
		);
	}
	log(`  installed ${path.basename(installedDir)}`);
	return { extensionsDir, developmentPayload: () => undefined };
}
