/**
 * The vector viewer's "Compare with asking": a concept and a few requests in, and back a table of
 * AxBench's ratings for the answers unsteered, steered and with the concept asked for in the request,
 * with every answer to read. Its state lives here, so the page's re-renders (a new report whenever the
 * model or the steering changes) keep what the user typed and what was measured.
 */
import {
	readVectorViewerMessage,
	type RatingsView,
	type VectorReport,
	type VectorViewerMessage
} from "../../src/shared/vectorViewerProtocol";
import { h, valueOf } from "../dom";
import { TOOLKIT_TAGS } from "../toolkit";

interface RatingState {
	concept: string;
	/** One request a line, as typed; undefined until the user edits it (then the report's defaults show). */
	requests: string | undefined;
	running: boolean;
	progress: { done: number; total: number } | undefined;
	ratings: RatingsView | undefined;
	message: string | undefined;
	/** The message says the user stopped it, which is no failure. */
	stopped: boolean;
}

const state: RatingState = {
	concept: "",
	requests: undefined,
	running: false,
	progress: undefined,
	ratings: undefined,
	message: undefined,
	stopped: false
};

const CONDITION_WORDS: Record<RatingsView["rows"][number]["condition"], string> = {
	unsteered: "Unsteered",
	steered: "Steered",
	prompted: "Asked in the prompt (no steering)"
};

function ratingStarted(): void {
	state.running = true;
	state.progress = undefined;
	state.message = undefined;
	// The table would otherwise sit under the new run as if it were its result.
	state.ratings = undefined;
}

/**
 * A step of the running comparison. Only the status line changes, so a field being typed in keeps its
 * focus; a page that did not know one was running (it reloaded, or another viewer of the file started
 * it) redraws to show it.
 */
export function ratingProgress(done: number, total: number, redraw: () => void): void {
	state.progress = total > 0 ? { done, total } : undefined;
	const status = document.getElementById("rating-status");
	if (state.running && status) status.textContent = progressWords();
	else {
		state.running = true;
		state.message = undefined;
		redraw();
	}
}

function progressWords(): string {
	return state.progress ? `${state.progress.done} of ${state.progress.total} answers rated…` : "Starting…";
}

export function ratingsArrived(ratings: RatingsView): void {
	state.running = false;
	state.progress = undefined;
	state.message = undefined;
	state.ratings = ratings;
}

export function ratingEnded(message: string): void {
	state.running = false;
	state.progress = undefined;
	state.message = message === "stopped" ? "Stopped." : `The comparison failed: ${message}`;
	state.stopped = message === "stopped";
}

export function ratingSection(
	report: VectorReport,
	post: (message: VectorViewerMessage) => void,
	redraw: () => void
): HTMLElement {
	const defaults = report.ratingRequests;
	const requestsText = () => state.requests ?? defaults?.join("\n") ?? "";
	const start = () => {
		const requests = requestsText()
			.split("\n")
			.map((line) => line.trim())
			.filter((line) => line.length > 0);
		state.stopped = false;
		if (state.concept.trim() === "") state.message = "Say what the vector should bring out, e.g. the sea.";
		else if (requests.length === 0) state.message = "Give at least one request, one a line.";
		else {
			// Checked here as the host checks it, so a refusal is shown rather than waited on.
			const read = readVectorViewerMessage({ type: "rate", concept: state.concept, requests });
			if (!read.ok) state.message = `Cannot compare: ${read.problem}`;
			else {
				ratingStarted();
				post(read.message);
			}
		}
		redraw();
	};
	const running = [
		state.running &&
			h(
				TOOLKIT_TAGS.button,
				{ id: "rating-stop", appearance: "secondary", onclick: () => post({ type: "stopRating" }) },
				"Stop"
			),
		state.running && h("span", { class: "muted", role: "status", id: "rating-status" }, progressWords())
	];
	return h(
		"section",
		{ id: "rating", class: "rating" },
		h("h2", {}, "Compare with asking"),
		h(
			"p",
			{ class: "muted" },
			"Answers each request unsteered, steered at this file's strength and — on a model that follows requests — unsteered with the concept asked for in the request, then has the loaded model rate every answer 0–2 for the concept, for doing what was asked and for fluency (the score is their harmonic mean, 0 when any is 0), as AxBench does. A small model is a poor judge (SmolLM2-135M rates near chance), so read the answers too."
		),
		defaults === undefined
			? h(
					"div",
					{},
					h(
						"p",
						{ class: "muted", id: "rating-unavailable" },
						report.steering === null
							? "Import this file into Steer's vectors folder to compare it."
							: report.mismatch
								? "This file cannot steer the loaded model, so there is nothing to compare."
								: "Load a model to compare this vector with asking."
					),
					// A comparison started before the model or the file changed still runs until it ends.
					state.running && h("div", { class: "row" }, ...running)
				)
			: h(
					"div",
					{ class: "rating-form" },
					h(
						"label",
						{ class: "field wide", title: "What the vector should bring out, in a few words" },
						"Concept",
						h(TOOLKIT_TAGS.textField, {
							id: "rating-concept",
							value: state.concept,
							placeholder: "the sea",
							"aria-label": "Concept",
							oninput: (event: Event) => (state.concept = valueOf(event))
						})
					),
					h(
						"label",
						{ class: "column" },
						"Requests, one a line",
						h(TOOLKIT_TAGS.textArea, {
							id: "rating-requests",
							value: requestsText(),
							rows: 3,
							resize: "vertical",
							"aria-label": "Requests, one a line",
							oninput: (event: Event) => (state.requests = valueOf(event))
						})
					),
					h(
						"div",
						{ class: "row" },
						h(
							TOOLKIT_TAGS.button,
							{ id: "rating-start", disabled: state.running, onclick: start },
							"Compare"
						),
						...running
					)
				),
		state.message &&
			h(
				"p",
				state.stopped
					? { class: "muted", role: "status", id: "rating-message" }
					: { class: "error", role: "alert", id: "rating-message" },
				state.message
			),
		state.ratings && ratingsTable(state.ratings)
	);
}

function ratingsTable(ratings: RatingsView): HTMLElement {
	const cell = (value: number) => h("td", { class: "number" }, value.toFixed(2));
	return h(
		"div",
		{ id: "rating-results" },
		h("p", {}, `"${ratings.concept}", steered ${ratings.steering}, judged by ${ratings.judge}. Mean ratings 0–2:`),
		h(
			"table",
			{ class: "sweep-table" },
			h(
				"thead",
				{},
				h(
					"tr",
					{},
					h("th", {}, "Answers"),
					h("th", {}, "Concept"),
					h("th", {}, "Did what was asked"),
					h("th", {}, "Fluency"),
					h("th", {}, "Score")
				)
			),
			h(
				"tbody",
				{},
				...ratings.rows.map((row) =>
					h(
						"tr",
						{ "data-condition": row.condition },
						h("td", {}, CONDITION_WORDS[row.condition]),
						cell(row.mean.concept),
						cell(row.mean.instruction),
						cell(row.mean.fluency),
						cell(row.score)
					)
				)
			)
		),
		!ratings.promptBaseline &&
			h(
				"p",
				{ class: "muted" },
				"No prompt-only row: this model continues text rather than answering requests, so asking for the concept in words means nothing to it."
			),
		...ratings.rows.map((row) =>
			h(
				"details",
				{ class: "rating-samples" },
				h("summary", {}, `${CONDITION_WORDS[row.condition]}: the answers`),
				...row.samples.map((sample) =>
					h(
						"div",
						{ class: "rating-sample" },
						h("div", { class: "muted" }, sample.prompt),
						h("div", { class: "sample" }, sample.text),
						h(
							"div",
							{ class: "muted" },
							`concept ${sample.ratings.concept}, did what was asked ${sample.ratings.instruction}, fluency ${sample.ratings.fluency}; score ${sample.score.toFixed(2)}`
						)
					)
				)
			)
		)
	);
}
