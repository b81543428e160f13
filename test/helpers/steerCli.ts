import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "./testModels";

const run = promisify(execFile);

export interface CliResult {
	readonly code: number;
	readonly stdout: string;
	readonly stderr: string;
}

/** Runs the `steer` CLI as a user does (`bin/steer.cjs`, a separate process) and never throws on a non-zero exit. */
export async function runSteer(args: readonly string[]): Promise<CliResult> {
	try {
		const { stdout, stderr } = await run(process.execPath, [path.join(repoRoot, "bin", "steer.cjs"), ...args], {
			cwd: repoRoot,
			maxBuffer: 64 * 1024 * 1024
		});
		return { code: 0, stdout, stderr };
	} catch (error) {
		const failed = error as { code: number; stdout: string; stderr: string };
		return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
	}
}
