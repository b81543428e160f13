/**
 * The "Steer" output channel, and the adapter that routes the engine's log lines into it.
 * llama.cpp's own chatter arrives at debug level so it is there when a user raises the level,
 * without flooding the default view.
 */
import * as vscode from "vscode";
import type { EngineLog } from "../engine/client";

/** How many recent lines the channel keeps in memory for `recentLines`. */
const RECENT_LINES = 300;
const RECORDED_LEVELS = new Set<PropertyKey>(["info", "warn", "error"]);

/** The Steer channel, which also remembers its recent info, warning and error lines. */
export type SteerLog = vscode.LogOutputChannel & {
	/** The last lines logged at info level or above, oldest first, as "level: message". */
	recentLines(): readonly string[];
	/** How many such lines were logged since activation (the recent ones are the tail of these). */
	linesLogged(): number;
};

export function createLogChannel(): SteerLog {
	const channel = vscode.window.createOutputChannel("Steer", { log: true });
	// The channel's file is not readable through the API; keeping the tail lets the extension's own
	// diagnostics (and tests) check what was reported without scraping the Output view.
	const recent: string[] = [];
	let logged = 0;
	return new Proxy(channel, {
		get(target, property, receiver) {
			if (property === "recentLines") return () => [...recent];
			if (property === "linesLogged") return () => logged;
			const value = Reflect.get(target, property, receiver) as unknown;
			if (typeof value !== "function") return value;
			if (!RECORDED_LEVELS.has(property)) return value.bind(target);
			return (message: string | Error, ...args: unknown[]) => {
				recent.push(`${String(property)}: ${message instanceof Error ? message.message : message}`);
				logged++;
				if (recent.length > RECENT_LINES) recent.splice(0, recent.length - RECENT_LINES);
				return (value as (...all: unknown[]) => unknown).apply(target, [message, ...args]);
			};
		}
	}) as SteerLog;
}

export function engineLogTo(channel: vscode.LogOutputChannel): EngineLog {
	return (level, message) => {
		switch (level) {
			case "debug":
				channel.debug(message);
				break;
			case "info":
				channel.info(message);
				break;
			case "warn":
				channel.warn(message);
				break;
			case "error":
				channel.error(message);
				break;
		}
	};
}
