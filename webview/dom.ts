/**
 * A tiny element builder. Text always goes in through textContent, never as HTML: the panel shows
 * dataset and model text, which must not be able to inject markup.
 */
type Child = Node | string | null | undefined | false;
type Attributes = Record<string, string | number | boolean | undefined | ((event: Event) => void)>;

export function h(tag: string, attributes: Attributes = {}, ...children: Child[]): HTMLElement {
	const element = document.createElement(tag);
	for (const [name, value] of Object.entries(attributes)) {
		if (value === undefined || value === false) continue;
		if (typeof value === "function") element.addEventListener(name.replace(/^on/, "").toLowerCase(), value);
		else if (value === true) element.setAttribute(name, "");
		else element.setAttribute(name, String(value));
		if (name === "aria-label" && tag.startsWith("vscode-")) element.setAttribute("data-aria-label", String(value));
	}
	append(element, children);
	return element;
}

/**
 * The toolkit's text fields overwrite their aria-label with a generic "Text field" when they are
 * connected to the page, so every cell of the pair grid would be announced alike. The label given to
 * `h` is kept in data-aria-label; call this after the elements are in the page to put it back.
 */
export function restoreAccessibleNames(root: ParentNode): void {
	root.querySelectorAll<HTMLElement>("[data-aria-label]").forEach((element) => {
		const label = element.getAttribute("data-aria-label") ?? "";
		if (element.getAttribute("aria-label") !== label) element.setAttribute("aria-label", label);
	});
}

export function append(parent: Node, children: readonly Child[]): void {
	for (const child of children) {
		if (child === null || child === undefined || child === false) continue;
		parent.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
	}
}

/** A collapsible section whose open state survives re-rendering. */
const openSections = new Set<string>(["steering", "quick-try", "playground"]);

export function section(id: string, title: string, ...children: Child[]): HTMLElement {
	const details = h(
		"details",
		{ id: `section-${id}`, class: "section", open: openSections.has(id) },
		h("summary", {}, title),
		...children
	);
	details.addEventListener("toggle", () => {
		if ((details as HTMLDetailsElement).open) openSections.add(id);
		else openSections.delete(id);
	});
	return details;
}

export function valueOf(event: Event): string {
	return (event.target as HTMLInputElement).value;
}

export { countOf } from "../src/shared/plainWords";
