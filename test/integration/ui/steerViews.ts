// Finding Steer's surfaces in the web workbench: the views of the Steer sidebar (trees and the
// Steering webview) and the webviews of the editor area. Several webviews can be open at once, so a
// page is found by what it shows rather than by its position in the DOM.
import type { Frame, Locator, Page } from "playwright-core";

/** Shows the Steer sidebar unless it is showing (a click on the item of a shown sidebar would hide it). */
export async function openSteerSidebar(page: Page): Promise<void> {
	const item = page.locator('.activitybar .action-label[aria-label^="Steer"]').first();
	await item.waitFor({ state: "visible", timeout: 30_000 });
	const shown = await item.evaluate(
		(element) => element.closest(".action-item")?.classList.contains("checked") ?? false
	);
	if (!shown) await item.click();
	await steerView(page, "Vectors").waitFor({ state: "visible", timeout: 30_000 });
}

/** A view of the Steer sidebar by its title ("Model", "Datasets", "Vectors", "Steering"). */
export function steerView(page: Page, title: string): Locator {
	return page
		.locator(".part.sidebar .pane")
		.filter({ has: page.locator(".pane-header .title", { hasText: new RegExp(`^${title}$`, "i") }) });
}

/** The row of a tree view whose label holds `text`. */
export function treeRow(page: Page, view: string, text: string): Locator {
	return steerView(page, view).locator(".monaco-list-row", { hasText: text }).first();
}

/**
 * The webview page (its inner document) that holds `selector`, waiting for it to appear. Webviews
 * load after their editor or view shows, and a hidden one may go away, so this polls.
 */
export async function webviewWith(page: Page, selector: string, timeoutMs = 30_000): Promise<Frame> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		for (const frame of page.frames()) {
			if (frame === page.mainFrame()) continue;
			if (
				(await frame
					.locator(selector)
					.count()
					.catch(() => 0)) > 0
			)
				return frame;
		}
		if (Date.now() > deadline) throw new Error(`no webview shows ${selector}`);
		await page.waitForTimeout(250);
	}
}

/** The Steering view's page (the sidebar webview with steering on/off). */
export async function steeringViewPage(page: Page): Promise<Frame> {
	await openSteerSidebar(page);
	const pane = steerView(page, "Steering");
	// A collapsed view has no webview; open it.
	if ((await pane.locator(".pane-header").getAttribute("aria-expanded")) === "false")
		await pane.locator(".pane-header").click();
	return webviewWith(page, "#steering-enabled");
}
