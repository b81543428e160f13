/**
 * Multi-condition rules in CAST's notation: "if C1 or C2 then B1", "if C1 and not C2 then B2".
 *
 * Grammar (keywords case-insensitive; C/B indices are 1-based as in IBM's examples):
 *   rule     := "if" or-expr "then" BEHAVIOUR
 *   or-expr  := and-expr ("or" and-expr)*
 *   and-expr := unary ("and" unary)*
 *   unary    := "not" unary | "(" or-expr ")" | CONDITION
 *   CONDITION := "C" digits      BEHAVIOUR := "B" digits
 * IBM's evaluator splits on words and lets "or" win over any "and" and ignores "not"; a real parser with
 * the usual precedence (not > and > or) and parentheses avoids those surprises. Errors name the 1-based
 * column so the settings UI can point at the mistake.
 */

export type RuleExpression =
	| { readonly kind: "condition"; readonly index: number }
	| { readonly kind: "not"; readonly operand: RuleExpression }
	| { readonly kind: "and" | "or"; readonly operands: readonly RuleExpression[] };

export interface SteeringRule {
	readonly source: string;
	readonly when: RuleExpression;
	/** 1-based behaviour index (B1 → 1). */
	readonly behavior: number;
}

export class RuleParseError extends Error {
	constructor(
		message: string,
		/** 1-based column of the offending token. */
		readonly column: number,
		readonly source: string
	) {
		super(`${message} at column ${column}: ${source}`);
		this.name = "RuleParseError";
	}
}

interface Token {
	readonly text: string;
	readonly lower: string;
	readonly column: number;
}

function tokenize(source: string): Token[] {
	const tokens: Token[] = [];
	const pattern = /\s*(?:([A-Za-z]+\d*)|(\()|(\))|(\S))/gy;
	let match: RegExpExecArray | null;
	while (pattern.lastIndex < source.length && (match = pattern.exec(source)) !== null) {
		const text = match[1] ?? match[2] ?? match[3] ?? match[4];
		if (text === undefined) break;
		const column = match.index + match[0].length - text.length + 1;
		if (match[4] !== undefined) throw new RuleParseError(`unexpected character "${text}"`, column, source);
		tokens.push({ text, lower: text.toLowerCase(), column });
	}
	return tokens;
}

/** Parses one rule; throws RuleParseError with the column of the problem. */
export function parseRule(source: string): SteeringRule {
	const tokens = tokenize(source);
	let position = 0;
	const endColumn = source.trimEnd().length + 1;
	const peek = (): Token | undefined => tokens[position];
	const describe = (token: Token | undefined) => (token ? `"${token.text}"` : "end of rule");
	const expect = (keyword: string, context: string): void => {
		const token = peek();
		if (token?.lower !== keyword) {
			throw new RuleParseError(
				`expected "${keyword}" ${context} but found ${describe(token)}`,
				token?.column ?? endColumn,
				source
			);
		}
		position++;
	};
	const numbered = (token: Token | undefined, letter: "c" | "b"): number | null => {
		if (!token) return null;
		const match = /^([cb])(\d+)$/.exec(token.lower);
		if (!match || match[1] !== letter) return null;
		const index = Number(match[2]);
		if (index < 1)
			throw new RuleParseError(`${token.text} is not valid: numbering starts at 1`, token.column, source);
		return index;
	};

	const parseOr = (): RuleExpression => {
		const operands = [parseAnd()];
		while (peek()?.lower === "or") {
			position++;
			operands.push(parseAnd());
		}
		return operands.length === 1 ? operands[0] : { kind: "or", operands };
	};
	const parseAnd = (): RuleExpression => {
		const operands = [parseUnary()];
		while (peek()?.lower === "and") {
			position++;
			operands.push(parseUnary());
		}
		return operands.length === 1 ? operands[0] : { kind: "and", operands };
	};
	const parseUnary = (): RuleExpression => {
		const token = peek();
		if (token?.lower === "not") {
			position++;
			return { kind: "not", operand: parseUnary() };
		}
		if (token?.text === "(") {
			position++;
			const inner = parseOr();
			const closing = peek();
			if (closing?.text !== ")") {
				throw new RuleParseError(
					`expected ")" to close the "(" at column ${token.column} but found ${describe(closing)}`,
					closing?.column ?? endColumn,
					source
				);
			}
			position++;
			return inner;
		}
		const index = numbered(token, "c");
		if (index === null) {
			throw new RuleParseError(
				`expected a condition such as C1, "not" or "(" but found ${describe(token)}`,
				token?.column ?? endColumn,
				source
			);
		}
		position++;
		return { kind: "condition", index };
	};

	expect("if", "at the start of the rule");
	const when = parseOr();
	expect("then", "after the condition");
	const behaviorToken = peek();
	const behavior = numbered(behaviorToken, "b");
	if (behavior === null) {
		throw new RuleParseError(
			`expected a behaviour such as B1 after "then" but found ${describe(behaviorToken)}`,
			behaviorToken?.column ?? endColumn,
			source
		);
	}
	position++;
	const extra = peek();
	if (extra) throw new RuleParseError(`unexpected ${describe(extra)} after the behaviour`, extra.column, source);
	return { source, when, behavior };
}

/** Evaluates the rule's condition; conditionResults[i] is the outcome of C(i+1). */
export function evaluateRule(rule: SteeringRule, conditionResults: readonly boolean[]): boolean {
	const evaluate = (expression: RuleExpression): boolean => {
		switch (expression.kind) {
			case "condition": {
				if (expression.index > conditionResults.length) {
					throw new RangeError(
						`rule "${rule.source}" uses C${expression.index} but only ${conditionResults.length} condition(s) are defined`
					);
				}
				return conditionResults[expression.index - 1];
			}
			case "not":
				return !evaluate(expression.operand);
			case "and":
				return expression.operands.every(evaluate);
			case "or":
				return expression.operands.some(evaluate);
		}
	};
	return evaluate(rule.when);
}

/**
 * The 1-based behaviours whose rules fire, ascending and without repeats. Every rule is evaluated, so a
 * rule referring to an undefined condition is reported even when an earlier rule already fired.
 */
export function activeBehaviors(
	rules: readonly SteeringRule[],
	conditionResults: readonly boolean[],
	behaviorCount?: number
): number[] {
	const active = new Set<number>();
	for (const rule of rules) {
		if (behaviorCount !== undefined && rule.behavior > behaviorCount) {
			throw new RangeError(
				`rule "${rule.source}" applies B${rule.behavior} but only ${behaviorCount} behaviour(s) are defined`
			);
		}
		if (evaluateRule(rule, conditionResults)) active.add(rule.behavior);
	}
	return [...active].sort((a, b) => a - b);
}
