/**
 * How failures reach the user: one notification that says what failed and why, with a button to
 * the log where the details are. Cancellation is a choice the user made, never an error.
 */
import * as vscode from "vscode";
import { EngineError, isCancellation } from "../engine/errors";

/** A failure whose message is already written for the user (no stack, no code needed). */
export class UserFacingError extends Error {
	override readonly name = "UserFacingError";
}

export function isUserCancellation(error: unknown): boolean {
	return (
		isCancellation(error) ||
		error instanceof vscode.CancellationError ||
		(error instanceof Error && error.name === "AbortError")
	);
}

export function describeError(error: unknown): string {
	if (error instanceof EngineError) return `${error.message} [${error.code}]`;
	if (error instanceof Error) return error.message;
	return String(error);
}

export function reportFailure(log: vscode.LogOutputChannel, action: string, error: unknown): void {
	if (isUserCancellation(error)) {
		log.info(`${action}: cancelled`);
		return;
	}
	const message = describeError(error);
	log.error(`${action} failed: ${message}`);
	if (error instanceof Error && error.stack && !(error instanceof UserFacingError)) log.debug(error.stack);
	void vscode.window.showErrorMessage(`Steer: ${action} failed: ${firstLine(message)}`, "Show Log").then((choice) => {
		if (choice === "Show Log") log.show(true);
	});
}

function firstLine(text: string): string {
	const line = text.split("\n")[0] ?? text;
	return line.length > 400 ? `${line.slice(0, 400)}…` : line;
}
