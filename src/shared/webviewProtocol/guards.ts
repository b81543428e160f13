/**
 * Validation of every message the steering panel's pages send. A page renders text that came from
 * files and models, so the host treats it as untrusted: a message is accepted only if it is one of
 * the known kinds (panelMessages.ts) with fields of the right types and sizes, and file names that
 * cannot leave Steer's folders. Everything else is rejected with a reason the host logs.
 */
import * as v from "valibot";
import { MESSAGE_LIMITS } from "./messageLimits";
import { describeValue, PANEL_MESSAGES, type WebviewToHost } from "./panelMessages";

export type Validated =
	{ readonly ok: true; readonly message: WebviewToHost } | { readonly ok: false; readonly reason: string };

/** Keys valibot's objects pass over without a word; a message that carries one is not ours. */
const FORBIDDEN_KEYS = ["__proto__", "constructor", "prototype"];

export function validateWebviewMessage(raw: unknown): Validated {
	const sizeProblem = sizeProblemOf(raw);
	if (sizeProblem) return { ok: false, reason: sizeProblem };
	if (raw === null || typeof raw !== "object" || Array.isArray(raw))
		return { ok: false, reason: `message must be an object, got ${describeValue(raw)}` };
	const type = (raw as { type?: unknown }).type;
	if (typeof type !== "string" || !Object.hasOwn(PANEL_MESSAGES, type))
		return { ok: false, reason: `unknown message type ${describeValue(type)}` };
	const forbidden = Object.keys(raw).find((key) => FORBIDDEN_KEYS.includes(key));
	if (forbidden) return { ok: false, reason: `unexpected field "${forbidden}" in a ${type} message` };
	const result = v.safeParse(PANEL_MESSAGES[type as keyof typeof PANEL_MESSAGES], raw);
	if (result.success) return { ok: true, message: result.output as WebviewToHost };
	return { ok: false, reason: withIndices(result.issues[0]) };
}

/** Walks the value once, bounding depth and total size, before any field is looked at. */
function sizeProblemOf(raw: unknown): string | undefined {
	let budget: number = MESSAGE_LIMITS.maxMessageSize;
	const visit = (value: unknown, depth: number): string | undefined => {
		if (depth > MESSAGE_LIMITS.maxDepth) return `message is nested deeper than ${MESSAGE_LIMITS.maxDepth} levels`;
		budget -= 8;
		if (typeof value === "string") budget -= value.length;
		else if (Array.isArray(value)) {
			for (const item of value) {
				const problem = visit(item, depth + 1);
				if (problem) return problem;
			}
		} else if (value !== null && typeof value === "object") {
			for (const [key, item] of Object.entries(value)) {
				budget -= key.length;
				const problem = visit(item, depth + 1);
				if (problem) return problem;
			}
		}
		return budget < 0 ? `message is larger than ${MESSAGE_LIMITS.maxMessageSize} characters` : undefined;
	};
	return visit(raw, 0);
}

/** A list item's refusal says "field[i]"; its place in the message says which i. */
function withIndices(issue: v.BaseIssue<unknown>): string {
	const indices = (issue.path ?? []).filter((item) => item.type === "array").map((item) => String(item.key));
	let next = 0;
	return issue.message.replace(/\[i\]/g, () => `[${indices[next++] ?? "?"}]`);
}
