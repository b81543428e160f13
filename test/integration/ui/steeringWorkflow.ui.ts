// Steer's main flows driven as a user would: load a model, write a dataset in the dataset editor
// (edit, undo, redo, save, reopen as text), train it from there with its progress, read the vector
// viewer's plots, tick the vector in the Vectors tree, steer in the Playground, and use steered
// inline completions. The tests run in order and share the workbench: later ones use the vector the
// training test makes. This file runs after the other UI tests, which expect the sidebar as the
// workbench opened it.
import assert from "node:assert/strict";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Frame, Page } from "playwright-core";
import type { UiTest } from "./uiTest";
import { openSteerSidebar, steeringViewPage, steerView, treeRow, webviewWith } from "./steerViews";
import {
	answerOpenDialog,
	openCommandPalette,
	openPaletteShowing,
	paletteRow,
	quickInput,
	waitForFile
} from "./workbench";

const MODEL_FILE = "TinyStories-656K.f16.gguf";
const DATASET_TITLE = "ui joy";
const DATASET = "ui-joy.jsonl";
// Named after the dataset and the model it was trained on.
const VECTOR = "ui-joy.TinyStories-656K.f16.gguf";
const VECTOR_NAME = "ui-joy.TinyStories-656K.f16";
const PAIRS: [string, string][] = [
	["Lily was happy and smiled all day.", "Lily was sad and cried all day."],
	["Tom laughed with his friend in the park.", "Tom cried alone in the dark room."],
	["The bird sang a happy song.", "The bird was sad and quiet."],
	["They ate cake and had fun together.", "They were angry and nobody played."]
];

/** Where the runner finds the test models; the same default as the runner's (next to the checkout). */
function modelFilePath(): string {
	// This module runs compiled from dist/test-integration/ui/, three folders below the checkout.
	const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
	return path.join(process.env.STEER_TEST_MODELS ?? path.resolve(repoRoot, "..", "shared", "models"), MODEL_FILE);
}

/** The model loaded, through the Model view's welcome button when none is; returns its layer count. */
async function loadModelFromModelView(page: Page): Promise<number> {
	await openSteerSidebar(page);
	const layers = treeRow(page, "Model", "Layers");
	const load = steerView(page, "Model").locator(".monaco-button", { hasText: /^Load Model…$/ });
	// The workspace's steer.modelPath may be loading it already: wait until the view shows a model or
	// its welcome buttons, and load one only when it says there is none.
	await layers.or(load).first().waitFor({ state: "visible", timeout: 60_000 });
	if (!(await layers.isVisible())) {
		// Through the palette rather than the welcome button: the open dialog's last Enter would land on
		// a button that keeps the focus and open a second dialog. (The button runs the same command.)
		await openPaletteShowing(page, "Steer: Load Model", "Steer: Load Model…", 30_000);
		await paletteRow(page, "Steer: Load Model…").first().click();
		await answerOpenDialog(page, () => modelFilePath());
		await layers.waitFor({ state: "visible", timeout: 60_000 });
	}
	return Number(/Layers\s*(\d+)/.exec(await layers.innerText())?.[1]);
}

/** Answers the workbench's quick input (an input box or the file dialog) with `text`. */
async function answerQuickInput(page: Page, text: string): Promise<void> {
	const input = quickInput(page).locator("input.input");
	await input.waitFor({ state: "visible", timeout: 15_000 });
	await input.fill(text);
	await page.keyboard.press("Enter");
	await quickInput(page).waitFor({ state: "hidden", timeout: 15_000 });
}

/** The dataset editor's page showing `fileName`. */
function datasetEditor(page: Page, fileName: string): Promise<Frame> {
	return webviewWith(page, `#file-name:text-is("${fileName}")`);
}

/** The Steering view's page with the trained vector ticked in the Vectors tree (each test makes sure of it). */
async function activeVectorCard(page: Page): Promise<Frame> {
	await openSteerSidebar(page);
	const checkbox = treeRow(page, "Vectors", VECTOR_NAME).locator('[role="checkbox"]');
	await checkbox.waitFor({ state: "visible", timeout: 15_000 });
	if ((await checkbox.getAttribute("aria-checked")) !== "true") await checkbox.click();
	const view = await steeringViewPage(page);
	await view.locator(`.vector.active[data-vector="${VECTOR}"]`).waitFor({ state: "visible", timeout: 15_000 });
	return view;
}

/** Sets the vector's strength with its slider in the Steering view and waits for the card to show it. */
async function setStrength(view: Frame, strength: number): Promise<void> {
	await view.locator(`input[type="range"][aria-label="${VECTOR_NAME} strength"]`).fill(String(strength));
	await view
		.locator(`.vector[data-vector="${VECTOR}"] .slider span`, { hasText: `Strength ${strength.toFixed(2)}` })
		.waitFor({ state: "visible", timeout: 15_000 });
}

export const tests: UiTest[] = [
	{
		title: "a new dataset is written in the dataset editor's grid, edited, undone, redone, saved and reopened as text",
		async run({ page, workspaceDir, documentationScreenshotPath }) {
			// The Output panel another test opened would cover half of the editor area.
			if (await page.locator(".part.panel").isVisible()) {
				await openCommandPalette(page, "View: Hide Panel");
				await paletteRow(page, "View: Hide Panel").first().click();
				await page.locator(".part.panel").waitFor({ state: "hidden", timeout: 10_000 });
			}
			// Nothing before this file loads a model or makes a vector: the views say how to get them.
			await openSteerSidebar(page);
			for (const [view, buttons] of [
				["Model", ["Load Model…", "Download Model…"]],
				["Vectors", ["Train Vector…", "Import Vector…"]]
			] as const) {
				const welcome = steerView(page, view).locator(".welcome-view-content");
				await welcome.waitFor({ state: "visible", timeout: 15_000 });
				assert.deepEqual(
					(await welcome.locator(".monaco-button").allInnerTexts()).map((text) => text.trim()),
					buttons,
					`the ${view} view's welcome buttons`
				);
			}
			await page.screenshot({ path: documentationScreenshotPath("sidebar") });
			await loadModelFromModelView(page);
			const file = path.join(workspaceDir, ".steer", "datasets", DATASET);
			// A new dataset from the Datasets view's title button; it opens in the dataset editor.
			const header = steerView(page, "Datasets").locator(".pane-header");
			await header.hover();
			await header.locator('.action-label[aria-label^="New Dataset"]').click();
			await answerQuickInput(page, DATASET_TITLE);
			const editor = await datasetEditor(page, DATASET);
			const summary = editor.locator("#summary");
			await summary.filter({ hasText: "0 usable pairs" }).waitFor({ state: "visible", timeout: 15_000 });
			// Typed in the last row, a pair at a time: leaving the row adds it.
			for (const [index, [positive, negative]] of PAIRS.entries()) {
				await editor.locator('textarea[aria-label="positive, new row"]').click();
				await page.keyboard.type(positive);
				await editor.locator('textarea[aria-label="negative, new row"]').click();
				await page.keyboard.type(negative);
				await editor.locator("#file-name").click();
				await summary
					.filter({ hasText: `${index + 1} usable pair${index === 0 ? "" : "s"}` })
					.waitFor({ state: "visible", timeout: 15_000 });
			}
			await page.keyboard.press("Control+S");
			await waitForFile(file, (text) => text.trim().split("\n").length === PAIRS.length, 15_000);

			// An edit of one cell marks the file dirty; undo and redo go through the document.
			const cell = editor.locator('textarea[aria-label="negative, line 1"]');
			await cell.fill("Lily was sad and alone.");
			await editor.locator("#file-name").click();
			const tab = page.locator(".tabs-container .tab.active");
			await tab.and(page.locator(".dirty")).waitFor({ state: "visible", timeout: 10_000 });
			await page.keyboard.press("Control+Z");
			await editor.locator(`textarea[aria-label="negative, line 1"]`).evaluate(
				(area, expected) =>
					new Promise<void>((resolve) => {
						const check = () =>
							(area as HTMLTextAreaElement).value === expected ? resolve() : setTimeout(check, 100);
						check();
					}),
				PAIRS[0][1]
			);
			await page.keyboard.press("Control+Shift+Z");
			await editor.locator(`textarea[aria-label="negative, line 1"]`).evaluate(
				(area) =>
					new Promise<void>((resolve) => {
						const check = () =>
							(area as HTMLTextAreaElement).value === "Lily was sad and alone."
								? resolve()
								: setTimeout(check, 100);
						check();
					})
			);
			await page.keyboard.press("Control+S");
			await waitForFile(file, (text) => text.includes("Lily was sad and alone."), 15_000);
			await page.screenshot({ path: documentationScreenshotPath("dataset-editor") });

			// The same file as text, for what the grid does not show.
			await editor.locator("#open-as-text").click();
			await page
				.locator(".editor-instance .monaco-editor .view-line", { hasText: "Lily was sad and alone." })
				.first()
				.waitFor({ state: "visible", timeout: 15_000 });
			await page.keyboard.press("Control+W");
		}
	},
	{
		title: "training from the dataset editor shows its progress there, and the vector viewer plots each layer",
		async run({ page, documentationScreenshotPath }) {
			const nLayer = await loadModelFromModelView(page);
			assert.ok(nLayer >= 2, `the Model view shows no layer count (${nLayer})`);
			await treeRow(page, "Datasets", DATASET).click();
			const editor = await datasetEditor(page, DATASET);
			// The progress is too brief on this model to wait for, so the page records what it draws.
			await editor.locator("body").evaluate(() => {
				const seen: string[] = [];
				(window as unknown as { progressSeen: string[] }).progressSeen = seen;
				new MutationObserver(() => {
					const text = document.querySelector("#training-status .progress")?.textContent?.trim();
					if (text) seen.push(text);
				}).observe(document.body, { childList: true, subtree: true, characterData: true });
			});
			await editor.locator("#train").click();
			await editor.locator("#open-trained").waitFor({ state: "visible", timeout: 90_000 });
			const seen = await editor
				.locator("body")
				.evaluate(() => (window as unknown as { progressSeen: string[] }).progressSeen);
			assert.ok(
				seen.some((text) => /reading hidden states \d+\/8/.test(text)),
				`no capture progress was drawn (seen: ${JSON.stringify(seen)})`
			);
			await page.waitForTimeout(300);
			await page.screenshot({ path: documentationScreenshotPath("dataset-editor-trained") });

			await editor.locator("#open-trained").click();
			const viewer = await webviewWith(page, ".charts figure");
			await viewer.locator("h1", { hasText: VECTOR_NAME }).waitFor({ state: "visible", timeout: 15_000 });
			const separation = viewer.locator("figure", { hasText: "How well each layer tells the two sides apart" });
			await separation.waitFor({ state: "visible", timeout: 15_000 });
			assert.equal(
				await separation.locator("circle.point.explained").count(),
				nLayer - 1,
				"a point per trained layer"
			);
			// Four pairs are too few to hold any out: the chart says so instead of drawing nothing silently.
			assert.equal(await separation.locator("circle.point.separation").count(), 0);
			assert.match(await separation.locator(".legend").innerText(), /too few pairs to hold any out/);
			assert.equal(await separation.locator("rect.band").count(), 1, "the steered layers are marked");
			assert.deepEqual(
				await separation.locator(".axis-title").allTextContents(),
				["Layer", "Share of pairs"],
				"both axes are titled"
			);
			assert.match(
				(await separation.locator("circle.point title").first().textContent()) ?? "",
				/^layer \d+: /,
				"a point says what it shows when hovered"
			);
			assert.ok(
				(await viewer.locator("figure", { hasText: "Where the two sides fall" }).count()) === 1,
				"the projection histogram is missing"
			);
			await page.waitForTimeout(300);
			await page.screenshot({ path: documentationScreenshotPath("vector-viewer") });
		}
	},
	{
		title: "the vector viewer compares the vector with asking: a concept is required, then the loaded model rates the answers",
		async run({ page, documentationScreenshotPath }) {
			// The viewer the training test opened.
			const viewer = await webviewWith(page, "#rating-start");
			assert.equal(
				await viewer.locator("#rating-requests").evaluate((element) => (element as HTMLInputElement).value),
				"Once upon a time\nOne day,\nThere was a",
				"a model without a chat template is offered story beginnings"
			);
			await viewer.locator("#rating-start").click();
			await viewer
				.locator("#rating-message", { hasText: "Say what the vector should bring out" })
				.waitFor({ state: "visible", timeout: 5_000 });
			// Requests of the user's own replace the offered ones.
			// Filled through the fields' own inputs (inside the toolkit's shadow roots), as typing ends up.
			await viewer.locator("#rating-requests textarea").fill("The cat sat\nOne sunny day");
			await viewer.locator("#rating-concept input").fill("joy");
			await viewer.locator("#rating-start").click();
			const results = viewer.locator("#rating-results");
			await results.waitFor({ state: "visible", timeout: 120_000 });
			assert.deepEqual(
				await results.locator("tbody tr td:first-child").allTextContents(),
				["Unsteered", "Steered"],
				"TinyStories continues text, so there is no prompt-only row"
			);
			assert.match(await results.innerText(), /No prompt-only row/);
			await results.locator(".rating-samples summary").nth(1).click();
			assert.deepEqual(
				await results.locator(".rating-samples[open] .rating-sample > .muted:first-child").allTextContents(),
				["The cat sat", "The cat sat", "One sunny day", "One sunny day"],
				"the answers are to the requests typed, two seeds each"
			);
			await results.scrollIntoViewIfNeeded();
			await page.waitForTimeout(300);
			await page.screenshot({ path: documentationScreenshotPath("compare-with-asking") });
		}
	},
	{
		title: "ticking the vector in the Vectors tree shows in the status bar, and the Steering view shows its controls",
		async run({ page, documentationScreenshotPath }) {
			await openSteerSidebar(page);
			const row = treeRow(page, "Vectors", VECTOR_NAME);
			const checkbox = row.locator('[role="checkbox"]');
			await checkbox.waitFor({ state: "visible", timeout: 15_000 });
			const statusBar = page.locator(".part.statusbar");
			if ((await checkbox.getAttribute("aria-checked")) === "true") {
				await checkbox.click();
				await statusBar
					.locator(`text=/${VECTOR_NAME.replace(/\./g, "\\.")} ×/`)
					.waitFor({ state: "detached", timeout: 15_000 });
			}
			await checkbox.click();
			await statusBar
				.locator(`text=/${VECTOR_NAME.replace(/\./g, "\\.")} ×1/`)
				.waitFor({ state: "visible", timeout: 15_000 });
			assert.match((await row.innerText()).replace(/\s+/g, " "), /×1 · layer/, "the row says how it steers");
			const view = await steeringViewPage(page);
			await view
				.locator(`.vector.active[data-vector="${VECTOR}"]`)
				.waitFor({ state: "visible", timeout: 15_000 });
			await page.waitForTimeout(300);
			await page.screenshot({ path: documentationScreenshotPath("vectors-tree") });
		}
	},
	{
		title: "the Playground shows baseline and steered completions side by side at the strength set on the slider",
		async run({ page, documentationScreenshotPath }) {
			const view = await activeVectorCard(page);
			const enabled = view.locator("#steering-enabled");
			if ((await enabled.getAttribute("aria-checked")) !== "true") await enabled.click();
			await view.locator('#steering-enabled[aria-checked="true"]').waitFor({ state: "attached", timeout: 5000 });
			await setStrength(view, 3);

			await view.locator("#open-playground").click();
			const playground = await webviewWith(page, "#generate");
			await playground
				.locator("vscode-text-area#prompt textarea")
				.fill("Once upon a time, there was a little girl named Lily. She");
			await playground.locator('input[aria-label="Tokens to generate"]').fill("24");
			await playground.locator('input[aria-label="Tokens to generate"]').press("Tab");
			await playground.locator("#generate").click();
			// Each column shows its speed once its generation is done.
			await playground
				.locator(".columns .column h3 .muted")
				.nth(1)
				.waitFor({ state: "visible", timeout: 60_000 });
			const baseline = (await playground.locator("#output-baseline").textContent()) ?? "";
			const steered = (await playground.locator("#output-steered").textContent()) ?? "";
			assert.ok(baseline.trim().length > 0, "the baseline column is empty");
			assert.ok(steered.trim().length > 0, "the steered column is empty");
			const [left, right] = await Promise.all([
				playground.locator("#output-baseline").boundingBox(),
				playground.locator("#output-steered").boundingBox()
			]);
			assert.ok(
				left && right && left.x < right.x && Math.abs(left.y - right.y) < 2 && left.width > 300,
				`baseline and steered are not wide and side by side (${JSON.stringify([left, right])})`
			);
			await page.waitForTimeout(300);
			await page.screenshot({ path: documentationScreenshotPath("playground") });
		}
	},
	{
		title: "choosing the tokens a vector acts on shows in the status bar, and the reset goes back to every token",
		async run({ page, documentationScreenshotPath }) {
			const view = await activeVectorCard(page);
			const card = view.locator(`.vector[data-vector="${VECTOR}"]`);
			const statusBar = page.locator(".part.statusbar");
			await statusBar
				.locator("text=/ui-joy\\.TinyStories-656K\\.f16 ×/")
				.waitFor({ state: "visible", timeout: 15_000 });
			const dropdown = card.locator('vscode-dropdown[aria-label$="which tokens the vector acts on"]');
			// A state update from the host re-renders the card and closes an open dropdown; open it again.
			for (let attempt = 1; ; attempt++) {
				try {
					await dropdown.click({ timeout: 5000 });
					await dropdown.locator("vscode-option", { hasText: "generated tokens" }).click({ timeout: 3000 });
					await statusBar
						.locator("text=/×[\\d.]+ \\(generated\\)/")
						.waitFor({ state: "visible", timeout: 5000 });
					break;
				} catch (error) {
					if (attempt === 4) throw error;
				}
			}
			const reset = card.locator('vscode-button[aria-label="Use the file\'s placement"]');
			await reset.waitFor({ state: "visible", timeout: 5000 });
			await card.scrollIntoViewIfNeeded();
			await page.waitForTimeout(300);
			await page.screenshot({ path: documentationScreenshotPath("steering-view-placement") });
			await reset.click();
			await statusBar.locator("text=/\\(generated\\)/").waitFor({ state: "detached", timeout: 15_000 });
			assert.equal(
				await statusBar.locator("text=/ui-joy\\.TinyStories-656K\\.f16 ×/").count(),
				1,
				"the vector left the status bar"
			);
		}
	},
	{
		title: "the vector viewer and the sidebar follow the light, dark and high-contrast themes",
		async run({ page, documentationScreenshotPath }) {
			// Chosen as a user chooses one: Preferences: Color Theme, then the theme's name.
			const openThemePicker = async () => {
				await openCommandPalette(page, "Preferences: Color Theme");
				await paletteRow(page, "Preferences: Color Theme").first().click();
				await quickInput(page)
					.locator(".monaco-list-row")
					.first()
					.waitFor({ state: "visible", timeout: 10_000 });
			};
			const chooseTheme = async (theme: string, workbenchClass?: string) => {
				await openThemePicker();
				await quickInput(page).locator("input.input").fill(theme);
				await quickInput(page).locator(".monaco-list-row", { hasText: theme }).first().click();
				await quickInput(page).waitFor({ state: "hidden", timeout: 10_000 });
				if (workbenchClass)
					await page
						.locator(`.monaco-workbench.${workbenchClass}`)
						.waitFor({ state: "attached", timeout: 15_000 });
			};
			// The picker opens on the theme in use: remember it, to leave the workbench as it was.
			await openThemePicker();
			const original = (
				(await quickInput(page).locator(".monaco-list-row.focused .label-name").first().textContent()) ?? ""
			).trim();
			await page.keyboard.press("Escape");
			await quickInput(page).waitFor({ state: "hidden", timeout: 10_000 });
			try {
				await openSteerSidebar(page);
				await treeRow(page, "Vectors", VECTOR_NAME).locator(".label-name").click();
				await webviewWith(page, ".charts figure");
				for (const [theme, workbenchClass, name] of [
					["Light Modern", "vs", "light"],
					["Dark Modern", "vs-dark", "dark"],
					["Dark High Contrast", "hc-black", "high-contrast"]
				]) {
					await chooseTheme(theme, workbenchClass);
					// The webviews take the theme's colours a moment after the workbench.
					await page.waitForTimeout(1000);
					await page.screenshot({ path: documentationScreenshotPath(`theme-${name}`) });
				}
			} finally {
				if (original) await chooseTheme(original);
				// The next test types into the workbench; a webview with the focus would take the keys.
				await openCommandPalette(page, "View: Close All Editors");
				await paletteRow(page, "View: Close All Editors").first().click();
				await page
					.locator(".editor-instance .webview, .tabs-container .tab")
					.first()
					.waitFor({ state: "detached", timeout: 10_000 });
			}
		}
	},
	{
		title: "steered inline completions from the installed package: switched on in Settings, ghost text for a story, accepted with Tab",
		async run({ page, documentationScreenshotPath, userSettingsFile }) {
			// Steered by the vector at its calibrated strength, the 1.0 a user starts from.
			const view = await activeVectorCard(page);
			await setStrength(view, 1);
			// Settings (UI), as a user switches the feature on.
			await openCommandPalette(page, "Preferences: Open User Settings");
			await paletteRow(page, "Preferences: Open User Settings").first().click();
			// The settings editor opens with its search box focused.
			await page.locator(".settings-editor").waitFor({ state: "visible", timeout: 15_000 });
			await page.locator(".settings-editor .suggest-input-container").click();
			await page.keyboard.type("steer.inline.enabled");
			const setting = page.locator(".setting-item-bool", { hasText: "Offer steered completions as ghost text" });
			const checkbox = setting.locator('.setting-value-checkbox[role="checkbox"]');
			await checkbox.waitFor({ state: "visible", timeout: 15_000 });
			if ((await checkbox.getAttribute("aria-checked")) !== "true") await checkbox.click();
			await setting
				.locator('.setting-value-checkbox[aria-checked="true"]')
				.waitFor({ state: "attached", timeout: 5000 });
			// The settings editor writes the file a moment after the tick, and closing it before then loses
			// the change: wait for the file to hold it.
			await waitForFile(userSettingsFile, (text) => /"steer\.inline\.enabled":\s*true/.test(text), 15_000);
			// Escape clears the search, then closes the settings.
			for (let press = 0; press < 3 && (await page.locator(".settings-editor").isVisible()); press++)
				await page.keyboard.press("Escape");

			// The story in the workspace, through Quick Open; type at its end.
			await page.keyboard.press("Control+P");
			await quickInput(page).waitFor({ state: "visible", timeout: 10_000 });
			await page.keyboard.type("story.txt");
			await quickInput(page).locator(".monaco-list-row", { hasText: "story.txt" }).first().click();
			const editor = page.locator(".editor-instance .monaco-editor", { hasText: "Once upon a time" }).first();
			await editor.locator(".view-lines").waitFor({ state: "visible", timeout: 15_000 });
			await editor.locator(".view-lines").click();
			await page.keyboard.press("Control+End");
			// Anywhere on the page: other editors (the settings' search box is one) may come first in the DOM.
			const ghost = page.locator(".monaco-editor .ghost-text-decoration").first();
			const typed = " The next day, Lily";
			await page.keyboard.type(typed);
			await ghost.waitFor({ state: "visible", timeout: 30_000 });
			const suggestion = ((await ghost.textContent()) ?? "").trim();
			assert.ok(suggestion.length > 0, "the ghost text is empty");
			await page.waitForTimeout(300);
			await page.screenshot({ path: documentationScreenshotPath("inline-completion") });
			await page.keyboard.press("Tab");
			await page
				.locator(".monaco-editor .view-line", { hasText: `${typed.slice(-4)}${suggestion.slice(0, 12)}` })
				.or(
					page.locator(".monaco-editor .view-line", {
						hasText: `${typed.slice(-4)} ${suggestion.slice(0, 12)}`
					})
				)
				.first()
				.waitFor({ state: "visible", timeout: 10_000 });
			// Leave the story as it is on disk.
			await openCommandPalette(page, "File: Revert File");
			await paletteRow(page, "File: Revert File").first().click();
		}
	}
];
