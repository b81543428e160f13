import { h } from "../dom";

/** What an untrusted workspace shows instead of the controls: Steer opens no model or vector there. */
export function trustNotice(): HTMLElement {
	return h(
		"p",
		{ class: "warning", id: "untrusted" },
		"This workspace is not trusted, so Steer opens no model or vector file. Trust the workspace to use Steer."
	);
}
