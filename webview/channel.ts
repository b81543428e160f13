/**
 * The page's side of the channel to its host, typed by the messages of that page. Each webview page
 * is its own document, so each calls this once (VS Code allows one acquireVsCodeApi per page).
 */
interface VsCodeApi {
	postMessage(message: unknown): void;
	getState(): unknown;
	setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export interface HostChannel<ToHost, FromHost> {
	post(message: ToHost): void;
	onMessage(listener: (message: FromHost) => void): void;
	/** What the page kept across being hidden or reloaded (VS Code stores it). */
	getState(): unknown;
	setState(state: unknown): void;
}

export function connectToHost<ToHost, FromHost extends { readonly type: string }>(): HostChannel<ToHost, FromHost> {
	const api = acquireVsCodeApi();
	return {
		post: (message) => api.postMessage(message),
		onMessage: (listener) =>
			window.addEventListener("message", (event: MessageEvent) => {
				const data = event.data as FromHost | undefined;
				if (data && typeof data === "object" && typeof data.type === "string") listener(data);
			}),
		getState: () => api.getState(),
		setState: (state) => api.setState(state)
	};
}
