import assert from "node:assert/strict";
import type { UiTest } from "./uiTest";

export const tests: UiTest[] = [
	{
		title: "the Steer activity-bar item opens the steering panel",
		async run({ page, documentationScreenshotPath }) {
			const item = page.locator('.activitybar .action-label[aria-label^="Steer"]').first();
			await item.waitFor({ state: "visible", timeout: 30_000 });
			// Clicking the item of the view already shown would close the sidebar (another test may have opened it).
			if (
				(await item.getAttribute("aria-expanded")) !== "true" &&
				!(await item.evaluate(
					(element) => element.closest(".action-item")?.classList.contains("checked") ?? false
				))
			)
				await item.click();
			const sidebar = page.locator(".part.sidebar");
			await sidebar
				.locator(".title-label", { hasText: /steer/i })
				.first()
				.waitFor({ state: "visible", timeout: 15_000 });

			const panel = page.frameLocator("iframe.webview.ready").frameLocator("#active-frame");
			const modelSection = panel.locator("#section-model summary");
			await modelSection.waitFor({ state: "visible", timeout: 30_000 });
			assert.match((await modelSection.textContent()) ?? "", /model/i);
			for (const id of ["vectors", "datasets", "train", "playground"]) {
				await panel.locator(`#section-${id}`).waitFor({ state: "attached", timeout: 5000 });
			}
			// Keyboard access: the sections are native disclosure widgets. Start closed (another test may
			// have opened the section), then open it with the keyboard.
			if ((await panel.locator("#section-datasets").getAttribute("open")) !== null)
				await panel.locator("#section-datasets summary").click();
			await panel.locator("#section-datasets:not([open])").waitFor({ state: "attached", timeout: 5000 });
			await panel.locator("#section-datasets summary").focus();
			await page.keyboard.press("Enter");
			assert.equal(await panel.locator("#section-datasets").getAttribute("open"), "");
			await page.waitForTimeout(500);
			await page.screenshot({ path: documentationScreenshotPath("steering-panel") });
		}
	}
];
