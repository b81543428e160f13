// A dataset with lines Steer cannot read, opened in the panel as a user would: the problems are listed
// above the grid with file, line and field, Save stays off, and the file is kept as it was.
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { UiTest } from "./uiTest";

const TYPO = "typo.jsonl";
const TYPO_TEXT =
	'{"postive": "Lily smiled.", "negative": "Lily cried."}\n{"positive": "A happy day.", "negative": "A sad day."}\nnot json at all\n';

export const tests: UiTest[] = [
	{
		title: "a dataset with unreadable lines shows them above the grid, and Save stays off",
		async run({ page, workspaceDir, documentationScreenshotPath }) {
			const file = path.join(workspaceDir, ".steer", "datasets", TYPO);
			mkdirSync(path.dirname(file), { recursive: true });
			writeFileSync(file, TYPO_TEXT);

			const panel = page.frameLocator("iframe.webview.ready").frameLocator("#active-frame");
			const steerItem = page.locator('.activitybar .action-label[aria-label^="Steer"]').first();
			if (
				!(await panel
					.locator("#section-model")
					.isVisible()
					.catch(() => false))
			)
				await steerItem.click();
			const datasets = panel.locator("#section-datasets");
			const openDatasets = async () => {
				await datasets.waitFor({ state: "attached", timeout: 30_000 });
				if ((await datasets.getAttribute("open")) === null) await datasets.locator("summary").click();
			};
			const reloadPanel = async () => {
				await page.locator('.activitybar .action-label[aria-label^="Explorer"]').first().click();
				await panel
					.locator("#section-model")
					.waitFor({ state: "detached", timeout: 10_000 })
					.catch(() => undefined);
				await steerItem.click();
				await openDatasets();
			};
			await openDatasets();
			// The folder watcher lists the new file on its own schedule, and each state update that follows
			// redraws the panel: a click that lands on the link as it is replaced is lost, so click until
			// the grid shows the file's problems. The watcher has also been seen to miss a file written by
			// another process (see the closing note of the hygiene issue); if the file is not listed, do
			// what a user would: switch to the Explorer and back, which reloads the panel and its list.
			const problems = panel.locator("#file-problems");
			const link = datasets.locator("button.link", { hasText: TYPO });
			const deadline = Date.now() + 45_000;
			for (;;) {
				try {
					await link.click({ timeout: 10_000 });
					await problems.waitFor({ state: "visible", timeout: 3000 });
					break;
				} catch (error) {
					if (Date.now() > deadline) throw error;
					if (!(await link.isVisible())) await reloadPanel();
				}
			}
			const text = await problems.innerText();
			assert.match(text, /typo\.jsonl:1: field "postive": unknown field; did you mean "positive"\?/);
			assert.match(text, /typo\.jsonl:3: invalid JSON/);
			await panel
				.locator("#pair-grid h3", { hasText: `${TYPO} — 1 pair` })
				.waitFor({ state: "visible", timeout: 5000 });

			// Add a pair as the user did: the grid is dirty, but Save stays off while the file has problems.
			const secondRow = panel.locator('vscode-text-field[aria-label="Positive, row 2"] input');
			for (let attempt = 1; !(await secondRow.isVisible()); attempt++) {
				await panel.locator("#pair-grid vscode-button", { hasText: "Add pair" }).click();
				try {
					await secondRow.waitFor({ state: "visible", timeout: 3000 });
				} catch (error) {
					if (attempt === 5) throw error;
				}
			}
			await secondRow.fill("A new joy.");
			await panel.locator('vscode-text-field[aria-label="Negative, row 2"] input').fill("A new gloom.");
			await panel
				.locator("#pair-grid h3", { hasText: "2 pairs (unsaved)" })
				.waitFor({ state: "visible", timeout: 5000 });
			assert.equal(
				await panel.locator("#save-dataset").getAttribute("disabled"),
				"",
				"Save must stay off while the file has unreadable lines"
			);
			await problems.scrollIntoViewIfNeeded();
			await page.screenshot({ path: documentationScreenshotPath("dataset-problems") });
			assert.equal(readFileSync(file, "utf8"), TYPO_TEXT, "the file changed");
		}
	}
];
