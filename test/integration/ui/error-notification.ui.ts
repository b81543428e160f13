// Errors reach the user as notifications in the workbench that `npm start` opens: the extension is
// installed from its .vsix and the workbench runs without the test driver that hides toasts.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import type { UiTest } from "./ui-test";
import { answerOpenDialog, openPaletteShowing, paletteRow, quickInput } from "./workbench";

const NOT_A_MODEL = "not-a-model.gguf";

export const tests: UiTest[] = [
	{
		title: "loading a file that is not a model shows an error notification with a Show Log button",
		async run({ page, documentationScreenshotPath }) {
			const label = "Steer: Load Model…";
			await openPaletteShowing(page, "Steer: Load Model", label, 30_000);
			await paletteRow(page, label).first().click();
			await quickInput(page).waitFor({ state: "hidden", timeout: 10_000 }).catch(() => undefined);
			// A text file named like a model, as a half-finished download or a renamed file would be, put in
			// the workspace (the dialog's start folder; this machine's file system is the server's).
			await answerOpenDialog(page, (workspace) => {
				const file = `${workspace.replace(/\/$/, "")}/${NOT_A_MODEL}`;
				writeFileSync(file, "This is plain text, not a GGUF model.\n");
				return file;
			});

			const toast = page.locator(".notification-toast", { hasText: "Load Model failed" });
			await toast.waitFor({ state: "visible", timeout: 60_000 });
			const text = await toast.innerText();
			assert.match(text, new RegExp(NOT_A_MODEL.replace(".", "\\.")), `the notification does not name the file: ${text}`);
			assert.ok(await toast.locator(".monaco-button", { hasText: "Show Log" }).isVisible(), `the notification has no Show Log button: ${text}`);
			await page.screenshot({ path: documentationScreenshotPath("error-notification") });

			// Leave the workbench as the next test expects it: no toast over the sidebar.
			await toast.hover();
			await toast.locator(".codicon-notifications-clear").first().click();
			await toast.waitFor({ state: "hidden", timeout: 10_000 });
		}
	}
];
