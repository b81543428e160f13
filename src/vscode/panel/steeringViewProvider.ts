/**
 * The sidebar's steering panel. Every message from the webview is validated before it is handled;
 * a message that fails validation is dropped and logged, since a well-behaved panel never sends one.
 */
import * as vscode from "vscode";
import type { HostToWebview } from "../../../webview/protocol/messages";
import { validateWebviewMessage } from "../../../webview/protocol/guards";
import { panelHtml, panelResourceRoots } from "./panelHtml";
import { PanelMessageHandler, type PanelHandlerDependencies } from "./panelMessageHandler";
import { buildPanelState, type PanelStateSources } from "./panelState";

export const STEERING_VIEW_ID = "steer.panel";

export type SteeringViewDependencies = PanelStateSources &
	Omit<PanelHandlerDependencies, "post" | "refresh"> & { readonly extensionUri: vscode.Uri };

export class SteeringViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
	private view: vscode.WebviewView | undefined;
	private handler: PanelMessageHandler | undefined;
	private rejected = 0;

	constructor(private readonly deps: SteeringViewDependencies) {}

	/** Messages refused by validation since activation (surfaced for diagnostics and tests). */
	get rejectedMessages(): number {
		return this.rejected;
	}

	resolveWebviewView(view: vscode.WebviewView): void {
		this.view = view;
		view.webview.options = { enableScripts: true, localResourceRoots: panelResourceRoots(this.deps.extensionUri) };
		view.webview.html = panelHtml(view.webview, this.deps.extensionUri);
		this.handler?.dispose();
		const handler = new PanelMessageHandler({ ...this.deps, post: (message) => this.post(message), refresh: () => this.refresh() });
		this.handler = handler;
		view.webview.onDidReceiveMessage((raw: unknown) => {
			const validated = validateWebviewMessage(raw);
			if (!validated.ok) {
				this.rejected++;
				this.deps.log.warn(`steering panel: rejected a message: ${validated.reason}`);
				return;
			}
			void handler.handle(validated.message);
		});
		view.onDidDispose(() => {
			handler.dispose();
			if (this.view === view) this.view = undefined;
		});
	}

	/** Sends the current state; cheap enough to call on every change. */
	async refresh(): Promise<void> {
		if (!this.view) return;
		this.post({ type: "state", state: await buildPanelState(this.deps) });
	}

	private post(message: HostToWebview): void {
		void this.view?.webview.postMessage(message);
	}

	dispose(): void {
		this.handler?.dispose();
	}
}
