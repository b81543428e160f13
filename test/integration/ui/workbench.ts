// Small helpers over the VS Code web workbench's DOM, kept in one place because the class
// names are VS Code internals that may change between versions.
import type { Locator, Page } from "playwright-core";
import type { ContributedCommand } from "./uiTest";

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

/**
 * Answers the web workbench's open dialog (a quick input holding a path) with the file `filePath`,
 * which may depend on the folder the dialog starts in (its default text, e.g. the workspace).
 * The dialog fills in its default text a moment after it shows; typing before that lands in front
 * of the default, so wait for it, type, and check the field holds exactly what was typed.
 */
export async function answerOpenDialog(page: Page, filePath: (startFolder: string) => string): Promise<void> {
	const input = quickInput(page).locator("input.input");
	await input.waitFor({ state: "visible", timeout: 15_000 });
	const startFolder = await pollValue(
		() => input.inputValue(),
		(value) => value.startsWith("/"),
		"the open dialog's start folder",
		15_000
	);
	const target = filePath(startFolder);
	const folder = `${target.slice(0, target.lastIndexOf("/"))}/`;
	const fileName = target.slice(target.lastIndexOf("/") + 1);
	await pollValue(
		async () => {
			if ((await input.inputValue()) !== folder) await input.fill(folder);
			return input.inputValue();
		},
		(value) => value === folder,
		`the open dialog to hold ${folder}`,
		15_000
	);
	const row = quickInput(page).locator(".monaco-list-row", { hasText: fileName });
	// The list is redrawn as the folder's listing arrives; a click on a row being replaced is lost, so
	// click until the field holds the file.
	for (let attempt = 1; ; attempt++) {
		await row.first().waitFor({ state: "visible", timeout: 15_000 });
		await row.first().click();
		try {
			await pollValue(
				() => input.inputValue(),
				(value) => value.endsWith(fileName),
				`the open dialog to hold ${target}`,
				3000
			);
			break;
		} catch (error) {
			if (attempt === 5) throw error;
		}
	}
	await input.press("Enter");
	await quickInput(page).waitFor({ state: "hidden", timeout: 15_000 });
}

/** Waits until the file at `filePath` exists and its text satisfies `accept`. */
export async function waitForFile(
	filePath: string,
	accept: (text: string) => boolean,
	timeoutMs: number
): Promise<void> {
	const { readFile } = await import("node:fs/promises");
	await pollValue(() => readFile(filePath, "utf8").catch(() => ""), accept, `${filePath} to be written`, timeoutMs);
}

/** Polls `read` until `accept` holds for its value, which is returned. */
async function pollValue<T>(
	read: () => Promise<T>,
	accept: (value: T) => boolean,
	what: string,
	timeoutMs: number
): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	let value = await read();
	while (!accept(value)) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (it holds ${JSON.stringify(value)})`);
		await new Promise((resolve) => setTimeout(resolve, 100));
		value = await read();
	}
	return value;
}

/** Texts of the notification toasts currently shown. */
export async function notificationTexts(page: Page): Promise<string[]> {
	return page.locator(".notification-toast").allInnerTexts();
}

/** The Output view in the bottom panel. */
export function outputPanel(page: Page): Locator {
	return page.locator('.part.panel [id="workbench.panel.output"]');
}
