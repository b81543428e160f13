// The steering panel's main flows driven as a user would: load a model, write a dataset in the
// pair grid, train with the progress bar, read the per-layer plot, then steer in the playground.
// The tests run in order and share the workbench: the second uses the vector the first trains.
// This file runs after the other UI tests, which expect the sidebar as the workbench opened it.
import assert from "node:assert/strict";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { FrameLocator, Locator, Page } from "playwright-core";
import type { UiTest } from "./uiTest";
import { answerOpenDialog, openCommandPalette, paletteRow, quickInput, waitForFile } from "./workbench";

const MODEL_FILE = "TinyStories-656K.f16.gguf";
const DATASET_TITLE = "ui joy";
const DATASET = "ui-joy.jsonl";
// Named after the dataset and the model it was trained on.
const VECTOR = "ui-joy.TinyStories-656K.f16.gguf";
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

async function openSteeringPanel(page: Page): Promise<FrameLocator> {
	const panel = page.frameLocator("iframe.webview.ready").frameLocator("#active-frame");
	if (
		!(await panel
			.locator("#section-model")
			.isVisible()
			.catch(() => false))
	) {
		const item = page.locator('.activitybar .action-label[aria-label^="Steer"]').first();
		await item.waitFor({ state: "visible", timeout: 30_000 });
		await item.click();
	}
	await panel.locator("#section-model summary").waitFor({ state: "visible", timeout: 30_000 });
	return panel;
}

/** Opens a <details> section of the panel unless it is open already. */
async function expandSection(panel: FrameLocator, id: string): Promise<void> {
	const section = panel.locator(`#section-${id}`);
	if ((await section.getAttribute("open")) === null) await section.locator("summary").click();
}

/** The panel with the trained vector's card ticked active (each test makes sure of it itself). */
async function activeVectorCard(page: Page): Promise<{ panel: FrameLocator; card: Locator }> {
	const panel = await openSteeringPanel(page);
	await expandSection(panel, "vectors");
	const card = panel.locator(`.vector[data-vector="${VECTOR}"]`);
	await card.waitFor({ state: "visible", timeout: 15_000 });
	if (!(await card.getAttribute("class"))?.includes("active")) await card.locator("vscode-checkbox").click();
	await panel.locator(`.vector.active[data-vector="${VECTOR}"]`).waitFor({ state: "visible", timeout: 15_000 });
	return { panel, card };
}

/** Sets the vector's strength with its slider and waits for the card to show it. */
async function setStrength(panel: FrameLocator, card: Locator, strength: number): Promise<void> {
	await panel
		.locator(`input[type="range"][aria-label="ui-joy.TinyStories-656K.f16 strength"]`)
		.fill(String(strength));
	await card
		.locator(".slider span", { hasText: `strength ${strength.toFixed(2)}` })
		.waitFor({ state: "visible", timeout: 15_000 });
}

/** Answers the workbench's quick input (an input box or the file dialog) with `text`. */
async function answerQuickInput(page: Page, text: string): Promise<void> {
	const input = quickInput(page).locator("input.input");
	await input.waitFor({ state: "visible", timeout: 15_000 });
	await input.fill(text);
	await page.keyboard.press("Enter");
	await quickInput(page).waitFor({ state: "hidden", timeout: 15_000 });
}

async function loadModelFromPanel(page: Page, panel: FrameLocator): Promise<void> {
	if ((await panel.locator("#section-model summary").textContent())?.includes("Model —")) return;
	await panel.locator("#load-model").click();
	await answerOpenDialog(page, () => modelFilePath());
	await panel
		.locator("#section-model summary", { hasText: "Model —" })
		.waitFor({ state: "visible", timeout: 60_000 });
}

async function pickDropdownOption(panel: FrameLocator, label: string, option: string): Promise<void> {
	const dropdown = panel.locator(`vscode-dropdown[aria-label="${label}"]`);
	// A state update from the host re-renders the panel and closes an open dropdown; open it again.
	for (let attempt = 1; ; attempt++) {
		try {
			await dropdown.click({ timeout: 5000 });
			await dropdown.locator("vscode-option", { hasText: option }).click({ timeout: 3000 });
			await panel
				.locator(`vscode-dropdown[aria-label="${label}"][current-value="${option}"]`)
				.waitFor({ state: "attached", timeout: 3000 });
			return;
		} catch (error) {
			if (attempt === 4) throw error;
		}
	}
}

export const tests: UiTest[] = [
	{
		title: "the panel writes a dataset in the pair grid, trains it with progress, and plots each layer",
		async run({ page, documentationScreenshotPath }) {
			const panel = await openSteeringPanel(page);
			await loadModelFromPanel(page, panel);
			const layersText = (await panel.locator("#section-model dd").nth(1).textContent()) ?? "";
			const nLayer = Number(/^(\d+) ×/.exec(layersText)?.[1]);
			assert.ok(nLayer >= 2, `the model section shows no layer count (${layersText})`);

			// A new dataset, filled in the grid and saved.
			await expandSection(panel, "datasets");
			await panel.locator("#section-datasets vscode-button", { hasText: "New dataset…" }).click();
			await answerQuickInput(page, DATASET_TITLE);
			// The new dataset opens in the grid by itself.
			await panel
				.locator("#pair-grid h3", { hasText: `${DATASET} — 0 pairs` })
				.waitFor({ state: "visible", timeout: 15_000 });
			for (const [index, [positive, negative]] of PAIRS.entries()) {
				await panel.locator("#pair-grid vscode-button", { hasText: "Add pair" }).click();
				await panel.locator(`vscode-text-field[aria-label="Positive, row ${index + 1}"] input`).fill(positive);
				await panel.locator(`vscode-text-field[aria-label="Negative, row ${index + 1}"] input`).fill(negative);
			}
			await panel
				.locator("#pair-grid h3", { hasText: `${PAIRS.length} pairs (unsaved)` })
				.waitFor({ state: "visible", timeout: 5000 });
			await panel.locator("#save-dataset").click();
			await panel
				.locator("#pair-grid h3", { hasText: new RegExp(`${PAIRS.length} pairs$`) })
				.waitFor({ state: "visible", timeout: 15_000 });

			// Training: the progress bar shows while it runs (too briefly on this model to wait for, so the
			// panel's own DOM records each progress bar it draws), then the per-layer plot.
			await expandSection(panel, "train");
			await pickDropdownOption(panel, "Dataset", DATASET);
			await panel.locator("body").evaluate(() => {
				const seen: string[] = [];
				(window as unknown as { progressSeen: string[] }).progressSeen = seen;
				new MutationObserver(() => {
					const progress = document.querySelector("#section-train .progress");
					const bar = progress?.querySelector("progress");
					if (progress && bar) seen.push(`${progress.textContent?.trim()} [${bar.value}/${bar.max}]`);
				}).observe(document.body, { childList: true, subtree: true });
			});
			await panel.locator("#train").click();
			const result = panel.locator("#section-train .result");
			await result
				.locator("p", { hasText: `${VECTOR}: suggested layers` })
				.waitFor({ state: "visible", timeout: 60_000 });
			const seen = await panel
				.locator("body")
				.evaluate(() => (window as unknown as { progressSeen: string[] }).progressSeen);
			assert.ok(
				seen.some((text) => /^capture \d+\/8/.test(text)),
				`no capture progress bar was drawn (seen: ${JSON.stringify(seen)})`
			);

			const plot = result.locator("svg.plot");
			await plot.waitFor({ state: "visible", timeout: 5000 });
			const series = await plot
				.locator("polyline.series")
				.evaluateAll((lines) =>
					lines.map((line) => (line.getAttribute("points") ?? "").trim().split(/\s+/).length)
				);
			assert.deepEqual(
				series,
				[nLayer - 1, nLayer - 1, nLayer - 1],
				"three series with one point per trained layer"
			);
			assert.equal(await plot.locator("circle.point").count(), 3 * (nLayer - 1), "a marker per series and layer");
			assert.equal(await plot.locator("rect.band").count(), 1, "the suggested band is marked");
			await result.scrollIntoViewIfNeeded();
			await page.waitForTimeout(300);
			await page.screenshot({ path: documentationScreenshotPath("panel-train") });
		}
	},
	{
		title: "the playground shows baseline and steered completions side by side at the strength set on the slider",
		async run({ page, documentationScreenshotPath }) {
			const { panel, card } = await activeVectorCard(page);
			const enabled = panel.locator("#steering-enabled");
			if ((await enabled.getAttribute("aria-checked")) !== "true") await enabled.click();
			await panel.locator('#steering-enabled[aria-checked="true"]').waitFor({ state: "attached", timeout: 5000 });

			await setStrength(panel, card, 3);

			await expandSection(panel, "playground");
			await panel
				.locator("vscode-text-area#prompt textarea")
				.fill("Once upon a time, there was a little girl named Lily. She");
			await panel.locator('input[aria-label="Tokens to generate"]').fill("24");
			await panel.locator('input[aria-label="Tokens to generate"]').press("Tab");
			await panel.locator("#generate").click();
			// Each column shows its speed once its generation is done.
			await panel.locator(".columns .column h3 .muted").nth(1).waitFor({ state: "visible", timeout: 60_000 });
			const baseline = (await panel.locator("#output-baseline").textContent()) ?? "";
			const steered = (await panel.locator("#output-steered").textContent()) ?? "";
			assert.ok(baseline.trim().length > 0, "the baseline column is empty");
			assert.ok(steered.trim().length > 0, "the steered column is empty");
			const [left, right] = await Promise.all([
				panel.locator("#output-baseline").boundingBox(),
				panel.locator("#output-steered").boundingBox()
			]);
			assert.ok(
				left && right && left.x < right.x && Math.abs(left.y - right.y) < 2,
				"baseline and steered are not side by side"
			);
			await page.waitForTimeout(300);
			await page.screenshot({ path: documentationScreenshotPath("panel-playground") });
		}
	},
	{
		title: "choosing the tokens a vector acts on shows in the status bar, and the reset goes back to every token",
		async run({ page, documentationScreenshotPath }) {
			const { card } = await activeVectorCard(page);
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
			await page.screenshot({ path: documentationScreenshotPath("panel-placement") });
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
		title: "steered inline completions from the installed package: switched on in Settings, ghost text for a story, accepted with Tab",
		async run({ page, documentationScreenshotPath, userSettingsFile }) {
			// Steered by the vector at its calibrated strength, the 1.0 a user starts from.
			const { panel, card } = await activeVectorCard(page);
			await setStrength(panel, card, 1);
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
