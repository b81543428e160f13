/**
 * One labelled example, concept-guidance's format: a text that shows the concept (label 1) or does not
 * (label 0), with no contrast pair. The two classes need not match one to one nor come in equal
 * numbers; training compares the classes as wholes (mean-diff: the difference of their mean states;
 * probe: a logistic regression), so the methods that need pairs (pca-diff, pca-center) cannot use them.
 *
 * As for a pair, the full text is `prompt + completion`, joined verbatim. For an instruct model the
 * example is a conversation: `system` (optional), the earlier turns in `history` (optional, user and
 * assistant messages in order), the user's `prompt`, and the assistant's `completion`; training renders
 * it in the model's own chat template, and refuses, without one, examples that have a system message
 * or a history, as raw text has no place for them.
 */
export interface LabelledExample {
	readonly completion: string;
	/** 1: the completion shows the concept; 0: it does not. */
	readonly label: 0 | 1;
	readonly prompt?: string;
	/** The system message of a conversation example; needs a chat template. */
	readonly system?: string;
	/** The conversation before the prompt; needs a chat template and a prompt. */
	readonly history?: readonly ChatTurn[];
	/** Unique within its dataset when present. */
	readonly id?: string;
}

/** One earlier message of a conversation example. A system message goes in the example's `system`. */
export interface ChatTurn {
	readonly role: "user" | "assistant";
	readonly content: string;
}

/** Every field an example may have, in the order files write them. */
export const LABELLED_EXAMPLE_FIELDS = ["prompt", "completion", "label", "system", "history", "id"] as const;

export type LabelledExampleField = (typeof LABELLED_EXAMPLE_FIELDS)[number];

export const REQUIRED_LABELLED_EXAMPLE_FIELDS: readonly LabelledExampleField[] = ["completion", "label"];

/** concept-guidance's own name for `history`, accepted so that its files load as they are. */
export const HISTORY_ALIAS = "conversation_history";
