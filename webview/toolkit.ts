/**
 * The one place the pages meet @vscode/webview-ui-toolkit: its components are registered here, and
 * the pages use them by the tag names below, so that another component library (vscode-elements)
 * replaces it in this file alone.
 */
import {
	provideVSCodeDesignSystem,
	vsCodeButton,
	vsCodeCheckbox,
	vsCodeDropdown,
	vsCodeOption,
	vsCodeProgressRing,
	vsCodeTextArea,
	vsCodeTextField
} from "@vscode/webview-ui-toolkit";

export const TOOLKIT_TAGS = {
	button: "vscode-button",
	checkbox: "vscode-checkbox",
	dropdown: "vscode-dropdown",
	option: "vscode-option",
	progressRing: "vscode-progress-ring",
	textArea: "vscode-text-area",
	textField: "vscode-text-field"
} as const;

let registered = false;

export function registerToolkit(): void {
	if (registered) return;
	registered = true;
	provideVSCodeDesignSystem().register(
		vsCodeButton(),
		vsCodeCheckbox(),
		vsCodeDropdown(),
		vsCodeOption(),
		vsCodeProgressRing(),
		vsCodeTextArea(),
		vsCodeTextField()
	);
}
