/**
 * One webview that speaks the steering panel's protocol (the sidebar's Steering view or the
 * Playground), with its own message handler: replies and streamed text go back to the page that
 * asked. Every message from the page is validated before it is handled; one that fails validation is
 * dropped and logged, since a well-behaved page never sends one.
 */
import type * as vscode from "vscode";
import type { HostToWebview } from "../../shared/webviewProtocol/messages";
import { validateWebviewMessage } from "../../shared/webviewProtocol/guards";
import { webviewHtml, webviewResourceRoots, type PanelSurface } from "../webviewHtml";
import { PanelMessageHandler, type PanelHandlerDependencies } from "./panelMessageHandler";

export type PanelConnectionDependencies = Omit<PanelHandlerDependencies, "post"> & {
	readonly extensionUri: vscode.Uri;
	/** Called for every message posted to the page (diagnostics and tests). */
	readonly onPost: (message: HostToWebview, delivered: Thenable<boolean>) => void;
	readonly onRejected: () => void;
};

export class PanelConnection implements vscode.Disposable {
	private readonly handler: PanelMessageHandler;
	private readonly subscription: vscode.Disposable;

	constructor(
		private readonly webview: vscode.Webview,
		readonly surface: PanelSurface,
		private readonly deps: PanelConnectionDependencies
	) {
		webview.options = { enableScripts: true, localResourceRoots: webviewResourceRoots(deps.extensionUri) };
		webview.html = webviewHtml(
			webview,
			deps.extensionUri,
			"webview",
			surface === "playground" ? "Steer Playground" : "Steer",
			surface
		);
		this.handler = new PanelMessageHandler({ ...deps, post: (message) => this.post(message) });
		this.subscription = webview.onDidReceiveMessage((raw: unknown) => void this.receive(raw));
	}

	/** Validates one message from the page, then handles it; resolves to whether it was accepted. */
	async receive(raw: unknown): Promise<boolean> {
		let validated: ReturnType<typeof validateWebviewMessage>;
		try {
			validated = validateWebviewMessage(raw);
		} catch (error) {
			// Validation only reads plain data; anything that makes reading it throw is not a message of ours.
			validated = {
				ok: false,
				reason: `the message could not be read: ${error instanceof Error ? error.message : String(error)}`
			};
		}
		if (!validated.ok) {
			this.deps.onRejected();
			this.deps.log.warn(
				`${this.surface === "playground" ? "Playground" : "steering panel"}: rejected a message: ${validated.reason}`
			);
			return false;
		}
		await this.handler.handle(validated.message);
		return true;
	}

	post(message: HostToWebview): void {
		const delivered = this.webview.postMessage(message).then(
			(taken) => taken,
			() => false
		);
		this.deps.onPost(message, delivered);
	}

	dispose(): void {
		this.subscription.dispose();
		this.handler.dispose();
	}
}
