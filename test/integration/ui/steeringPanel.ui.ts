// The Steer sidebar as a user first sees it: native views for the model, the datasets and the
// vectors, with welcome content that says what to do when one is empty, and the Steering view.
import assert from "node:assert/strict";
import type { UiTest } from "./uiTest";
import { openSteerSidebar, steeringViewPage, steerView } from "./steerViews";

export const tests: UiTest[] = [
	{
		title: "the Steer activity-bar item opens Model, Datasets, Vectors and Steering views, with welcome content when empty",
		async run({ page, documentationScreenshotPath }) {
			await openSteerSidebar(page);
			for (const title of ["Model", "Datasets", "Vectors", "Steering"])
				await steerView(page, title).waitFor({ state: "visible", timeout: 15_000 });
			// No vector trained yet in this workspace: the Vectors view says how to get one, with buttons.
			const vectors = steerView(page, "Vectors");
			await vectors.locator(".welcome-view-content").waitFor({ state: "visible", timeout: 15_000 });
			assert.match(await vectors.locator(".welcome-view-content").innerText(), /Train one from a dataset/);
			assert.deepEqual(
				(await vectors.locator(".welcome-view-content .monaco-button").allInnerTexts()).map((text) =>
					text.trim()
				),
				["Train Vector…", "Import Vector…"]
			);
			const steering = await steeringViewPage(page);
			await steering.locator("#no-active-vectors").waitFor({ state: "visible", timeout: 15_000 });
			await page.waitForTimeout(500);
			await page.screenshot({ path: documentationScreenshotPath("sidebar") });
		}
	}
];
