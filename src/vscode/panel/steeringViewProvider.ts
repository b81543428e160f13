/**
 * The sidebar's steering panel. Every message from the webview is validated before it is handled;
 * a message that fails validation is dropped and logged, since a well-behaved panel never sends one.
 */
import * as vscode from "vscode";
import type { HostToWebview } from "../../shared/webviewProtocol/messages";
import { validateWebviewMessage } from "../../shared/webviewProtocol/guards";
import { webviewHtml, webviewResourceRoots } from "../webviewHtml";
import { PanelMessageHandler, type PanelHandlerDependencies } from "./panelMessageHandler";
import { buildPanelState, type PanelStateSources } from "./panelState";

export const STEERING_VIEW_ID = "steer.panel";

export type SteeringViewDependencies = PanelStateSources &
	Omit<PanelHandlerDependencies, "post" | "refresh"> & { readonly extensionUri: vscode.Uri };

/** A message the host sent to the panel, and whether the webview took it (false when it was gone). */
export interface PostedMessage {
	readonly message: HostToWebview;
	readonly delivered: Thenable<boolean>;
}

export class SteeringViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
	private view: vscode.WebviewView | undefined;
	private handler: PanelMessageHandler | undefined;
	private rejected = 0;
	private readonly posted = new vscode.EventEmitter<PostedMessage>();
	/** Every message sent to the panel, as it is sent (diagnostics and tests). */
	readonly onDidPost = this.posted.event;

	constructor(private readonly deps: SteeringViewDependencies) {}

	/** Messages refused by validation since activation (surfaced for diagnostics and tests). */
	get rejectedMessages(): number {
		return this.rejected;
	}

	/** True while the panel's webview exists (it is created the first time the view is shown). */
	get isResolved(): boolean {
		return this.view !== undefined;
	}

	resolveWebviewView(view: vscode.WebviewView): void {
		this.view = view;
		view.webview.options = { enableScripts: true, localResourceRoots: webviewResourceRoots(this.deps.extensionUri) };
		view.webview.html = webviewHtml(view.webview, this.deps.extensionUri, "webview", "Steer");
		this.handler?.dispose();
		const handler = new PanelMessageHandler({
			...this.deps,
			post: (message) => this.post(message),
			refresh: () => this.refresh()
		});
		this.handler = handler;
		view.webview.onDidReceiveMessage((raw: unknown) => void this.receive(raw));
		view.onDidDispose(() => {
			handler.dispose();
			if (this.view === view) this.view = undefined;
		});
	}

	/**
	 * Handles one message from the webview: validated first, then dispatched. Resolves to whether it
	 * was accepted, once it has been handled.
	 */
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
			this.rejected++;
			this.deps.log.warn(`steering panel: rejected a message: ${validated.reason}`);
			return false;
		}
		if (!this.handler) {
			this.deps.log.warn(
				`steering panel: a ${validated.message.type} message arrived before the panel was shown; ignored`
			);
			return false;
		}
		await this.handler.handle(validated.message);
		return true;
	}

	/** Sends the current state; cheap enough to call on every change. */
	async refresh(): Promise<void> {
		if (!this.view) return;
		this.post({ type: "state", state: await buildPanelState(this.deps) });
	}

	private post(message: HostToWebview): void {
		const view = this.view;
		if (!view) return;
		const delivered = view.webview.postMessage(message).then(
			(taken) => taken,
			() => false
		);
		this.posted.fire({ message, delivered });
	}

	dispose(): void {
		this.handler?.dispose();
		this.posted.dispose();
	}
}
