import assert from "node:assert/strict";
import type { ContributedCommand, ExtensionManifest, UiTest } from "./uiTest";
import { notificationTexts, openPaletteShowing, outputPanel, paletteLabel, paletteRow, quickInput } from "./workbench";

const PREFERRED_COMMAND = "steer.showLog";

/** The command to run: "Steer: Show Log" when contributed, else the first "Steer: …" command. */
function steerCommand(manifest: ExtensionManifest): ContributedCommand {
	const commands = manifest.contributes?.commands ?? [];
	const steerCommands = commands.filter((command) => paletteLabel(command).startsWith("Steer:"));
	const chosen = steerCommands.find((command) => command.command === PREFERRED_COMMAND) ?? steerCommands[0];
	assert.ok(chosen, 'package.json contributes no command whose palette label starts with "Steer:"');
	return chosen;
}

export const tests: UiTest[] = [
	{
		title: "the command palette lists Steer's commands and runs one",
		async run({ page, manifest, documentationScreenshotPath }) {
			const command = steerCommand(manifest);
			const label = paletteLabel(command);

			// Typed in full: Steer contributes more commands than the palette shows at once (each view adds
			// its own "Focus on … View"), and a row below the fold is not drawn.
			await openPaletteShowing(page, label, label, 30_000);
			await page.screenshot({ path: documentationScreenshotPath("command-palette") });
			const row = paletteRow(page, label).first();
			await row.waitFor({ state: "visible", timeout: 10_000 });
			// Click the row itself: Enter runs whichever row is focused, which on a busy machine can still
			// be another Steer command while the list is being filtered.
			await row.click();
			await quickInput(page).waitFor({ state: "hidden", timeout: 10_000 });

			// A command that is contributed but not registered, or that throws, shows a toast.
			await page.waitForTimeout(1000);
			const errors = (await notificationTexts(page)).filter((text) => /not found|error|failed/i.test(text));
			assert.deepEqual(errors, [], `running "${label}" showed: ${errors.join(" | ")}`);
			if (command.command === PREFERRED_COMMAND) {
				await outputPanel(page).waitFor({ state: "visible", timeout: 20_000 });
				await page.screenshot({ path: documentationScreenshotPath("show-log") });
			}
		}
	}
];
