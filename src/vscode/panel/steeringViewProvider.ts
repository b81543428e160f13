/**
 * The steering panel's two surfaces: the compact Steering view in the sidebar (steering on/off, the
 * active vectors' live controls, a quick try) and the Playground in the editor area (baseline and
 * steered side by side, the strength sweep). Both render the same host state; each has its own
 * connection, so streamed text and job progress go back to the page that asked for them.
 */
import * as vscode from "vscode";
import type { HostToWebview } from "../../shared/webviewProtocol/messages";
import { PanelConnection } from "./panelConnection";
import type { PanelHandlerDependencies } from "./panelMessageHandler";
import { buildPanelState, type PanelStateSources } from "./panelState";

export const STEERING_VIEW_ID = "steer.panel";
export const PLAYGROUND_VIEW_TYPE = "steer.playground";

export type SteeringViewDependencies = PanelStateSources &
	Omit<PanelHandlerDependencies, "post" | "refresh"> & { readonly extensionUri: vscode.Uri };

/** A message the host sent to a page, which page, and whether the webview took it (false when it was gone). */
export interface PostedMessage {
	readonly message: HostToWebview;
	readonly surface: "sidebar" | "playground";
	readonly delivered: Thenable<boolean>;
}

export class SteeringViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
	private sidebar: PanelConnection | undefined;
	private playground: { panel: vscode.WebviewPanel; connection: PanelConnection } | undefined;
	private rejected = 0;
	private readonly posted = new vscode.EventEmitter<PostedMessage>();
	/** Every message sent to either page, as it is sent (diagnostics and tests). */
	readonly onDidPost = this.posted.event;

	constructor(private readonly deps: SteeringViewDependencies) {}

	/** Messages refused by validation since activation (surfaced for diagnostics and tests). */
	get rejectedMessages(): number {
		return this.rejected;
	}

	/** True while the sidebar view's webview exists (it is created the first time the view is shown). */
	get isResolved(): boolean {
		return this.sidebar !== undefined;
	}

	/** True while the Playground is open. */
	get playgroundOpen(): boolean {
		return this.playground !== undefined;
	}

	resolveWebviewView(view: vscode.WebviewView): void {
		this.sidebar?.dispose();
		const connection = this.connect(view.webview, "sidebar");
		this.sidebar = connection;
		view.onDidDispose(() => {
			connection.dispose();
			if (this.sidebar === connection) this.sidebar = undefined;
		});
	}

	/** Opens the Playground in the editor area, or brings it forward when it is open. */
	openPlayground(): void {
		if (this.playground) {
			this.playground.panel.reveal();
			return;
		}
		const panel = vscode.window.createWebviewPanel(
			PLAYGROUND_VIEW_TYPE,
			"Steer Playground",
			vscode.ViewColumn.Active,
			{
				enableScripts: true,
				retainContextWhenHidden: true
			}
		);
		panel.iconPath = vscode.Uri.joinPath(this.deps.extensionUri, "media", "steer.svg");
		const connection = this.connect(panel.webview, "playground");
		this.playground = { panel, connection };
		panel.onDidDispose(() => {
			connection.dispose();
			if (this.playground?.connection === connection) this.playground = undefined;
		});
	}

	private connect(webview: vscode.Webview, surface: "sidebar" | "playground"): PanelConnection {
		return new PanelConnection(webview, surface, {
			...this.deps,
			refresh: () => this.refresh(),
			onPost: (message, delivered) => this.posted.fire({ message, surface, delivered }),
			onRejected: () => this.rejected++
		});
	}

	/**
	 * Handles one message as if the sidebar's page had sent it (or the Playground's): validated first,
	 * then dispatched. Resolves to whether it was accepted, once it has been handled.
	 */
	async receive(raw: unknown, surface: "sidebar" | "playground" = "sidebar"): Promise<boolean> {
		const connection = surface === "sidebar" ? this.sidebar : this.playground?.connection;
		if (!connection) {
			this.deps.log.warn(`steering panel: a message arrived before the ${surface} was shown; ignored`);
			return false;
		}
		return connection.receive(raw);
	}

	/** Sends the current state to every open page; cheap enough to call on every change. */
	async refresh(): Promise<void> {
		const connections = [this.sidebar, this.playground?.connection].filter(
			(connection): connection is PanelConnection => connection !== undefined
		);
		if (connections.length === 0) return;
		const state = await buildPanelState(this.deps);
		for (const connection of connections) connection.post({ type: "state", state });
	}

	dispose(): void {
		this.sidebar?.dispose();
		this.playground?.panel.dispose();
		this.posted.dispose();
	}
}
