/** What each column of the dataset grid holds, in plain words, for its header and tooltip. */
import type { GridColumn } from "../../src/shared/datasetEditorProtocol";

export interface ColumnWords {
	readonly title: string;
	readonly hint: string;
}

export function columnWords(column: GridColumn, kind: "pair" | "example"): ColumnWords {
	switch (column) {
		case "prompt":
			return {
				title: "Prompt (optional)",
				hint: "Text that comes before both sides, e.g. a question; the model reads it but it is not compared"
			};
		case "positive":
			return { title: "Positive — with the concept", hint: "The text written the way you want the model to go" };
		case "negative":
			return { title: "Negative — without it", hint: "The same text written the opposite way, or plainly" };
		case "completion":
			return { title: "Completion", hint: "The model's answer to the prompt, to be judged by its label" };
		case "label":
			return kind === "example"
				? { title: "Label (1 or 0)", hint: "1: the completion shows the concept; 0: it does not" }
				: { title: "Label (optional)", hint: "A free tag, e.g. the topic or persona the pair was made from" };
		case "system":
			return { title: "System message", hint: "The instruction a chat model gets before the conversation" };
		case "id":
			return { title: "Id", hint: "A name unique within the file, for your own tools" };
	}
}
