/**
 * Checks a conditional-steering rule as the user types it in the panel, so a mistake is pointed at
 * (by column) before the rule is used.
 */
import { parseRule, RuleParseError } from "../../steering/conditions/rules";
import type { HostToWebview } from "../../shared/webviewProtocol/messages";

export function checkRule(source: string): Extract<HostToWebview, { type: "ruleChecked" }> {
	try {
		parseRule(source);
		return { type: "ruleChecked", source, ok: true };
	} catch (error) {
		if (!(error instanceof RuleParseError)) throw error;
		// The error's own message repeats the source; the panel shows the source with a caret instead.
		const message = error.message.replace(/ at column \d+: [\s\S]*$/, "");
		return { type: "ruleChecked", source, ok: false, message, column: error.column };
	}
}
