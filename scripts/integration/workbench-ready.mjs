/** Resolves once the web workbench has rendered far enough to take key bindings. */
export async function waitForWorkbench(page) {
	await page.locator(".monaco-workbench").waitFor({ state: "visible", timeout: 60_000 });
	// The status bar is among the last parts to render.
	await page.locator(".part.statusbar").waitFor({ state: "visible", timeout: 60_000 });
}
