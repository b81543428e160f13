/**
 * The "Steer" output channel, and the adapter that routes the engine's log lines into it.
 * llama.cpp's own chatter arrives at debug level so it is there when a user raises the level,
 * without flooding the default view.
 */
import * as vscode from "vscode";
import type { EngineLog } from "../engine/client";

export function createLogChannel(): vscode.LogOutputChannel {
	return vscode.window.createOutputChannel("Steer", { log: true });
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
