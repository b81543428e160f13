// A dataset with lines Steer cannot read, opened from the Datasets view as a user would: the view
// badges it, the dataset editor shows each problem on its row and the unreadable line as text, and
// the file stays as it was until the user changes it.
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { UiTest } from "./uiTest";
import { openSteerSidebar, steerView, treeRow, webviewWith } from "./steerViews";

const TYPO = "typo.jsonl";
const TYPO_TEXT =
	'{"postive": "Lily smiled.", "negative": "Lily cried."}\n{"positive": "A happy day.", "negative": "A sad day."}\nnot json at all\n';

export const tests: UiTest[] = [
	{
		title: "a dataset with unreadable lines is badged in the Datasets view and shows each problem on its row",
		async run({ page, workspaceDir, documentationScreenshotPath }) {
			const file = path.join(workspaceDir, ".steer", "datasets", TYPO);
			mkdirSync(path.dirname(file), { recursive: true });
			writeFileSync(file, TYPO_TEXT);
			await openSteerSidebar(page);
			const row = treeRow(page, "Datasets", TYPO);
			// The folder watcher has been seen to miss a file another process wrote; a user who does not see
			// it listed presses the view's Refresh.
			try {
				await row.waitFor({ state: "visible", timeout: 10_000 });
			} catch {
				const header = steerView(page, "Datasets").locator(".pane-header");
				await header.hover();
				await header.locator('.action-label[aria-label^="Refresh"]').click();
				await row.waitFor({ state: "visible", timeout: 30_000 });
			}
			assert.match((await row.innerText()).replace(/\s+/g, " "), /1 pair · 2 lines to fix/);
			await row.click();
			const editor = await webviewWith(page, `#file-name:text-is("${TYPO}")`);
			await editor.locator("#summary", { hasText: "1 usable pair · 2 lines to fix" }).waitFor({
				state: "visible",
				timeout: 15_000
			});
			const problems = await editor.locator("tr.has-problems").evaluateAll((rows) =>
				rows.map((tableRow) => ({
					line: (tableRow as HTMLElement).dataset.line,
					problem: tableRow.querySelector(".problems")?.textContent ?? ""
				}))
			);
			assert.equal(problems.length, 2, JSON.stringify(problems));
			assert.equal(problems[0].line, "1");
			assert.match(problems[0].problem, /unknown field; did you mean "positive"\?/);
			assert.equal(problems[1].line, "3");
			assert.match(problems[1].problem, /invalid JSON/);
			// The unreadable line is kept, as text the user can fix in place.
			assert.equal(await editor.locator('tr[data-line="3"] textarea').inputValue(), "not json at all");
			await page.waitForTimeout(300);
			await page.screenshot({ path: documentationScreenshotPath("dataset-problems") });
			assert.equal(readFileSync(file, "utf8"), TYPO_TEXT, "the file changed");
			await page.keyboard.press("Control+W");
		}
	}
];
