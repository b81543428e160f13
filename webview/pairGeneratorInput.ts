/**
 * Reading the "Generate pairs" form: persona words and answer openings are typed one a line. Mistakes
 * the form can see are named here; the generators on the host name the rest.
 */
import type { PairGenerator } from "../src/shared/datasetEditorProtocol";
import { MESSAGE_LIMITS } from "../src/shared/webviewProtocol/messages";
import type { Parsed } from "./sweepInput";

/** The form as typed; both modes' fields are kept so switching modes loses nothing. */
export interface PairGeneratorForm {
	mode: PairGenerator["mode"];
	template: string;
	positivePersonas: string;
	negativePersonas: string;
	suffixes: string;
	positivePrompt: string;
	negativePrompt: string;
}

export const INITIAL_PAIR_GENERATOR_FORM: PairGeneratorForm = {
	mode: "persona",
	template: "Act as if you're extremely {persona}.",
	positivePersonas: "",
	negativePersonas: "",
	suffixes: "",
	positivePrompt: "",
	negativePrompt: ""
};

const lines = (text: string) =>
	text
		.split(/\r?\n/)
		.map((line) => line.trim())
		.filter((line) => line.length > 0);

export function parsePairGenerator(form: PairGeneratorForm): Parsed<PairGenerator> {
	if (form.mode === "promptPair") {
		if (form.positivePrompt === "" || form.negativePrompt === "") return { ok: false, error: "give both prompts" };
		return {
			ok: true,
			value: { mode: "promptPair", positive: form.positivePrompt, negative: form.negativePrompt }
		};
	}
	if (!form.template.includes("{persona}")) return { ok: false, error: "the template needs a {persona} placeholder" };
	const positive = lines(form.positivePersonas);
	const negative = lines(form.negativePersonas);
	if (positive.length === 0 || positive.length !== negative.length) {
		return {
			ok: false,
			error: `list as many negative personas as positive ones, one a line (${positive.length} positive, ${negative.length} negative)`
		};
	}
	if (positive.length > MESSAGE_LIMITS.maxPersonas)
		return { ok: false, error: `at most ${MESSAGE_LIMITS.maxPersonas} personas a side` };
	// No suffix lines means the statements alone, which the generator writes as one empty suffix.
	const suffixes = lines(form.suffixes);
	const crossed = suffixes.length === 0 ? [""] : suffixes;
	if (positive.length * crossed.length > MESSAGE_LIMITS.maxPairs) {
		return {
			ok: false,
			error: `${positive.length} personas × ${crossed.length} suffixes is more than ${MESSAGE_LIMITS.maxPairs} pairs`
		};
	}
	return { ok: true, value: { mode: "persona", template: form.template, positive, negative, suffixes: crossed } };
}
