// Errors reach the user as notifications in the workbench that `npm start` opens: the extension is
// installed from its .vsix and the workbench runs without the test driver that hides toasts.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import path from "node:path";
import type { UiTest } from "./uiTest";
import { answerOpenDialog, openPaletteShowing, paletteRow } from "./workbench";

const NOT_A_MODEL = "not-a-model.gguf";

export const tests: UiTest[] = [
	{
		title: "loading a file that is not a model shows an error notification with a Show Log button",
		async run({ page, workspaceDir, documentationScreenshotPath }) {
			// A text file named like a model, as a half-finished download or a renamed file would be.
			writeFileSync(path.join(workspaceDir, NOT_A_MODEL), "This is plain text, not a GGUF model.\n");
			const label = "Steer: Load Model…";
			await openPaletteShowing(page, "Steer: Load Model", label, 30_000);
			await paletteRow(page, label).first().click();
			await answerOpenDialog(page, () => path.join(workspaceDir, NOT_A_MODEL));

			const toast = page.locator(".notification-toast", { hasText: "Load Model failed" });
			await toast.waitFor({ state: "visible", timeout: 60_000 });
			const text = await toast.innerText();
			assert.match(
				text,
				new RegExp(NOT_A_MODEL.replace(".", "\\.")),
				`the notification does not name the file: ${text}`
			);
			assert.ok(
				await toast.locator(".monaco-button", { hasText: "Show Log" }).isVisible(),
				`the notification has no Show Log button: ${text}`
			);
			await page.screenshot({ path: documentationScreenshotPath("error-notification") });

			// Leave the workbench as the next test expects it: no toast over the sidebar.
			await toast.hover();
			await toast.locator(".codicon-notifications-clear").first().click();
			await toast.waitFor({ state: "hidden", timeout: 10_000 });
		}
	}
];
