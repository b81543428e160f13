// Every process the integration run starts goes through here, so that all of them (and their
// own children) can be stopped on success, on failure and on Ctrl-C: each is spawned as the
// leader of its own process group and the whole group is signalled.
import { spawn } from "node:child_process";

const running = new Set();

/** Spawns `command` as a new process group that `stopAll()` will end. */
export function spawnTracked(command, args, options = {}) {
	const child = spawn(command, args, { ...options, detached: true });
	running.add(child);
	child.once("exit", () => running.delete(child));
	return child;
}

function signalGroup(child, signal) {
	try {
		process.kill(-child.pid, signal);
	} catch {
		// The group is already gone.
	}
}

/** SIGTERM to every group, then SIGKILL to whatever is still running after `graceMs`. */
export async function stopAll(graceMs = 3000) {
	const children = [...running];
	for (const child of children) signalGroup(child, "SIGTERM");
	await Promise.race([
		Promise.all(
			children.map((child) =>
				child.exitCode !== null || child.signalCode !== null
					? Promise.resolve()
					: new Promise((resolve) => child.once("exit", resolve))
			)
		),
		new Promise((resolve) => setTimeout(resolve, graceMs))
	]);
	killAllNow();
}

/** Synchronous last resort, safe to call from a process "exit" handler. */
export function killAllNow() {
	for (const child of running) signalGroup(child, "SIGKILL");
	running.clear();
}
