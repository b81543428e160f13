// Small helpers over the VS Code web workbench's DOM, kept in one place because the class
// names are VS Code internals that may change between versions.
import type { Locator, Page } from "playwright-core";
import type { ContributedCommand } from "./ui-test";

/** How the command palette shows a command: "Category: Title" when it has a category. */
export function paletteLabel(command: ContributedCommand): string {
	return command.category ? `${command.category}: ${command.title}` : command.title;
}

export function quickInput(page: Page): Locator {
	return page.locator(".quick-input-widget");
}

/** Opens the command palette and types `text` after its ">" prefix. */
export async function openCommandPalette(page: Page, text: string): Promise<void> {
	await page.locator(".monaco-workbench").click({ position: { x: 700, y: 400 } });
	await page.keyboard.press("F1");
	await quickInput(page).waitFor({ state: "visible", timeout: 10_000 });
	await page.keyboard.type(text);
}

export function paletteRow(page: Page, label: string): Locator {
	return quickInput(page).locator(".monaco-list-row", { hasText: label });
}

/**
 * Opens the palette with `text` typed until a row labelled `label` shows. The palette lists
 * the commands known when it opens, and an extension's contributions arrive only once the
 * extension host has started, which the rendered workbench does not wait for.
 */
export async function openPaletteShowing(page: Page, text: string, label: string, timeoutMs: number): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		await openCommandPalette(page, text);
		try {
			await paletteRow(page, label).first().waitFor({ state: "visible", timeout: 3000 });
			return;
		} catch (error) {
			if (Date.now() > deadline) throw error;
			await page.keyboard.press("Escape");
			await quickInput(page).waitFor({ state: "hidden", timeout: 5000 });
		}
	}
}

/** Texts of the notification toasts currently shown. */
export async function notificationTexts(page: Page): Promise<string[]> {
	return page.locator(".notification-toast").allInnerTexts();
}

/** The Output view in the bottom panel. */
export function outputPanel(page: Page): Locator {
	return page.locator(".part.panel [id=\"workbench.panel.output\"]");
}
