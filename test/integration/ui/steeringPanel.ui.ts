// The Steer sidebar: native views for the model, the datasets and the vectors, and the Steering view.
// (Their welcome content is checked where the workspace is known to be empty: at the start of the
// workflow test file, which alone loads a model and trains a vector.)
import assert from "node:assert/strict";
import type { UiTest } from "./uiTest";
import { openSteerSidebar, steeringViewPage, steerView } from "./steerViews";

export const tests: UiTest[] = [
	{
		title: "the Steer activity-bar item opens Model, Datasets, Vectors and Steering views",
		async run({ page, documentationScreenshotPath }) {
			await openSteerSidebar(page);
			for (const title of ["Model", "Datasets", "Vectors", "Steering"])
				await steerView(page, title).waitFor({ state: "visible", timeout: 15_000 });
			// The Steering view's page, whatever the other test files have left in the workspace (they run
			// in a shuffled order): with steering on or off, and active vectors or a line saying how to get one.
			const steering = await steeringViewPage(page);
			await steering.locator("#steering-enabled").waitFor({ state: "visible", timeout: 15_000 });
			await steering
				.locator("#no-active-vectors, .vector.active")
				.first()
				.waitFor({ state: "visible", timeout: 15_000 });
			assert.equal(await steering.locator("#quick-try").count(), 1, "the quick try is missing");
			await page.waitForTimeout(500);
			await page.screenshot({ path: documentationScreenshotPath("steering-view") });
		}
	}
];
