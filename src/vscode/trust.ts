import * as vscode from "vscode";
import { UserFacingError } from "./failures";

/**
 * Model and vector files are parsed by native code and by Steer's GGUF reader; a repository could
 * ship a crafted one. So nothing is opened until the user trusts the workspace.
 */
export function requireTrustedWorkspace(what: string): void {
	if (!vscode.workspace.isTrusted) {
		throw new UserFacingError(
			`${what} is disabled in an untrusted workspace; trust the workspace to open model and vector files`
		);
	}
}
