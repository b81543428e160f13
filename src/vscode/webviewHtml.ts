/**
 * The page of every Steer webview (the steering panel, the dataset editor, the vector viewer, the
 * Playground). A webview is untrusted content (it renders model output and dataset text), so: a strict
 * CSP where only our bundled script runs, by nonce; no inline styles from elsewhere; resources only
 * from dist/ and media/.
 */
import { randomBytes } from "node:crypto";
import * as vscode from "vscode";

export function webviewResourceRoots(extensionUri: vscode.Uri): vscode.Uri[] {
	return [vscode.Uri.joinPath(extensionUri, "dist"), vscode.Uri.joinPath(extensionUri, "media")];
}

/** Where the steering panel's page is shown: it lays itself out for the sidebar or the editor area. */
export type PanelSurface = "sidebar" | "playground";

/**
 * `page` names the bundle (dist/<page>.js); the steering panel's bundle serves two surfaces, which
 * `surface` tells it apart.
 */
export function webviewHtml(
	webview: vscode.Webview,
	extensionUri: vscode.Uri,
	page: "webview" | "datasetEditor" | "vectorViewer",
	title: string,
	surface?: PanelSurface
): string {
	const nonce = randomBytes(16).toString("base64");
	const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, "dist", `${page}.js`));
	const styles = [
		webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, "media", "panel.css")),
		...(page === "webview" && surface !== "playground"
			? []
			: [webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, "media", "editor.css"))])
	];
	const csp = [
		"default-src 'none'",
		`img-src ${webview.cspSource} data:`,
		// The toolkit's components adopt constructed stylesheets, which CSP treats as inline styles.
		`style-src ${webview.cspSource} 'unsafe-inline'`,
		`font-src ${webview.cspSource}`,
		`script-src 'nonce-${nonce}'`
	].join("; ");
	return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${styles.map((style) => `<link rel="stylesheet" href="${style}">`).join("\n")}
<title>${escapeHtml(title)}</title>
</head>
<body${surface ? ` data-surface="${surface}"` : ""}>
<main id="app" aria-live="polite"><p class="muted">Loading…</p></main>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
}

function escapeHtml(text: string): string {
	return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}
