// Killing the engine process the way a native crash would, shared by the engine tests and the
// extension-host tests.
import assert from "node:assert/strict";
import type { EngineClient } from "../../src/engine/client";

/** SIGKILLs the running engine and resolves once the client has seen it exit. */
export async function killEngineProcess(client: Pick<EngineClient, "pid" | "onEvent">): Promise<void> {
	const pid = client.pid;
	assert.ok(pid !== undefined, "an engine should be running to be killed");
	const exited = new Promise<void>((resolve) => {
		const off = client.onEvent((event) => {
			if (event.type !== "exited") return;
			off();
			resolve();
		});
	});
	process.kill(pid, "SIGKILL");
	await exited;
}
