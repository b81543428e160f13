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
	}
	append(element, children);
	return element;
}

export function append(parent: Node, children: readonly Child[]): void {
	for (const child of children) {
		if (child === null || child === undefined || child === false) continue;
		parent.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
	}
}

/** A collapsible section whose open state survives re-rendering. */
const openSections = new Set<string>(["model", "vectors", "playground"]);

export function section(id: string, title: string, ...children: Child[]): HTMLElement {
	const details = h("details", { id: `section-${id}`, class: "section", open: openSections.has(id) }, h("summary", {}, title), ...children);
	details.addEventListener("toggle", () => {
		if ((details as HTMLDetailsElement).open) openSections.add(id);
		else openSections.delete(id);
	});
	return details;
}

export function valueOf(event: Event): string {
	return (event.target as HTMLInputElement).value;
}
