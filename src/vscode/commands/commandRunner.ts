/**
 * Shared shape of every Steer command: failures become one notification with "Show Log", and long
 * work runs under a cancellable progress notification whose token drives an AbortSignal.
 */
import * as vscode from "vscode";
import { reportFailure } from "../failures";

export type CommandHandler = (...args: unknown[]) => unknown;

/** Registers `id` so that a failure is reported instead of thrown; the handler's result is returned. */
export function registerSteerCommand(
	log: vscode.LogOutputChannel,
	id: string,
	action: string,
	handler: CommandHandler
): vscode.Disposable {
	return vscode.commands.registerCommand(id, async (...args: unknown[]) => {
		try {
			return await handler(...args);
		} catch (error) {
			reportFailure(log, action, error);
			return undefined;
		}
	});
}

export interface ProgressReport {
	/** Message and, when known, the fraction done in [0, 1]. */
	(message: string, fraction?: number): void;
}

export function withCancellableProgress<T>(
	title: string,
	work: (signal: AbortSignal, report: ProgressReport) => Promise<T>
): Thenable<T> {
	return vscode.window.withProgress(
		{ location: vscode.ProgressLocation.Notification, title, cancellable: true },
		(progress, token) => {
			const controller = new AbortController();
			const subscription = token.onCancellationRequested(() => controller.abort());
			let reported = 0;
			const report: ProgressReport = (message, fraction) => {
				if (fraction === undefined) {
					progress.report({ message });
					return;
				}
				const percent = Math.max(0, Math.min(100, fraction * 100));
				progress.report({ message, increment: percent - reported });
				reported = percent;
			};
			return work(controller.signal, report).finally(() => subscription.dispose());
		}
	);
}

/** A file path from a command argument: a string or a Uri (tests and other extensions pass them). */
export function pathArgument(value: unknown): string | undefined {
	if (typeof value === "string" && value.length > 0) return value;
	if (value instanceof vscode.Uri) return value.fsPath;
	return undefined;
}
