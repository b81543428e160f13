/**
 * The concept lens's legend: a status-bar item, shown while the lens is, that names the concept and
 * layer, says which colour is which side, and shows the scale of tints in its hover. A click hides
 * the lens.
 */
import * as vscode from "vscode";
import { LENS_SHADES } from "./lensScale";

/** The tints' colours (RGB) for each side, shared by the decorations and the legend's swatches. */
export const LENS_COLOURS = { positive: "46, 160, 67", negative: "218, 54, 51" } as const;

/** Opacity of a shade (0 … LENS_SHADES − 1): faint near the middle of the text, strong at its edges. */
export function lensOpacity(shade: number): string {
	return (0.12 + (0.6 * (shade + 1)) / LENS_SHADES).toFixed(2);
}

export interface LensLegend extends vscode.Disposable {
	show(concept: string, layer: number): void;
	hide(): void;
	/** What the item says now, or undefined while hidden (tests). */
	readonly text: string | undefined;
}

export function createLensLegend(): LensLegend {
	const item = vscode.window.createStatusBarItem("steer.lensLegend", vscode.StatusBarAlignment.Right, 99);
	item.name = "Steer Concept Lens";
	item.command = "steer.hideConceptLens";
	let shown: string | undefined;
	const swatches = (side: keyof typeof LENS_COLOURS) =>
		Array.from(
			{ length: LENS_SHADES },
			(_, shade) =>
				`<span style="background-color:${hexWithAlpha(LENS_COLOURS[side], lensOpacity(shade))};">&nbsp;&nbsp;&nbsp;</span>`
		).join("");
	return {
		show(concept, layer) {
			shown = `$(eye) Lens: ${concept} · green = positive side, red = negative side`;
			item.text = shown;
			const tooltip = new vscode.MarkdownString(
				[
					`**Concept lens: ${concept}**, read at layer ${layer}.`,
					`Green ${swatches("positive")} leans to the vector's positive side; red ${swatches("negative")} to its negative side.`,
					"The stronger the tint, the further a token is from the middle of this text; hover a token for how it ranks.",
					"Click to hide the lens."
				].join("\n\n")
			);
			tooltip.supportHtml = true;
			item.tooltip = tooltip;
			item.show();
		},
		hide() {
			shown = undefined;
			item.hide();
		},
		get text() {
			return shown;
		},
		dispose: () => item.dispose()
	};
}

/** "46, 160, 67" and "0.36" as #2ea0435c: the hover's HTML takes colours in hex only. */
function hexWithAlpha(rgb: string, alpha: string): string {
	const [red, green, blue] = rgb.split(",").map((part) => Number(part.trim()));
	const byte = (value: number) => Math.round(value).toString(16).padStart(2, "0");
	return `#${byte(red)}${byte(green)}${byte(blue)}${byte(Number(alpha) * 255)}`;
}
