import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

/**
 * Finds Steer's installation root (the folder of its package.json) from any file inside it. The same
 * code runs bundled (dist/*.cjs|mjs), as TypeScript under a test runner (src/…), and from an installed
 * extension folder, so paths to dist/ and build/ are derived from the root rather than from __dirname.
 */
export function findSteerRoot(startDir: string): string {
	let dir = path.resolve(startDir);
	for (;;) {
		const manifest = path.join(dir, "package.json");
		if (existsSync(manifest)) {
			try {
				if (JSON.parse(readFileSync(manifest, "utf8")).name === "steer") return dir;
			} catch {
				// An unreadable manifest is not ours; keep looking upwards.
			}
		}
		const parent = path.dirname(dir);
		if (parent === dir) throw new Error(`cannot find Steer's package.json above ${startDir}`);
		dir = parent;
	}
}
