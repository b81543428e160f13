/**
 * The one notification of a crash loop: when the engine crashed too often to be restarted, the user
 * hears it once (not on every failing request) with the two ways forward: the log, which says why it
 * crashed, and "Steer: Restart Engine" once the cause is dealt with.
 */
import * as vscode from "vscode";
import type { EngineService } from "./engineService";

export const SHOW_LOG = "Show Log";
export const RESTART_ENGINE = "Restart Engine";

export interface ShownNotice {
	readonly message: string;
	readonly buttons: readonly string[];
}

export interface CrashLoopNotices extends vscode.Disposable {
	/** Every crash-loop notification shown since activation, oldest first (for tests and diagnostics). */
	readonly shown: readonly ShownNotice[];
}

export function notifyCrashLoops(engine: EngineService, log: vscode.LogOutputChannel): CrashLoopNotices {
	const shown: ShownNotice[] = [];
	const subscription = engine.onDidStopRestarting((state) => {
		const message = `Steer: ${state.message}.`;
		const buttons = [SHOW_LOG, RESTART_ENGINE];
		shown.push({ message, buttons });
		void vscode.window.showErrorMessage(message, ...buttons).then((choice) => {
			if (choice === SHOW_LOG) log.show(true);
			else if (choice === RESTART_ENGINE) void vscode.commands.executeCommand("steer.restartEngine");
		});
	});
	return {
		get shown() {
			return [...shown];
		},
		dispose: () => subscription.dispose()
	};
}
