/**
 * The messages between the vector viewer (a read-only webview of a control-vector file) and its host,
 * as valibot schemas the types are inferred from. The page only asks for actions on the file it
 * shows; the host knows which file that is, so no message names a file.
 */
import * as v from "valibot";
import { readMessage, type ReadMessage } from "./readMessage";
import { MESSAGE_LIMITS } from "./webviewProtocol/messageLimits";

export const VectorViewerMessage = v.variant("type", [
	v.object({ type: v.literal("ready") }),
	v.object({ type: v.literal("setActive"), active: v.boolean() }),
	v.object({
		type: v.literal("setStrength"),
		strength: v.pipe(
			v.number(),
			v.finite(),
			v.minValue(-MESSAGE_LIMITS.maxStrength),
			v.maxValue(MESSAGE_LIMITS.maxStrength)
		)
	}),
	v.object({ type: v.literal("exportForLlamaServer") }),
	v.object({ type: v.literal("showInLens") }),
	/** Rate the file against the prompt-only baseline (AxBench's evaluation), the loaded model judging. */
	v.object({
		type: v.literal("rate"),
		concept: v.pipe(
			v.string("concept must be a string"),
			v.trim(),
			v.minLength(1, "concept must say what the vector should bring out, e.g. the sea"),
			v.maxLength(
				MESSAGE_LIMITS.maxConceptLength,
				`concept is longer than ${MESSAGE_LIMITS.maxConceptLength} characters`
			),
			v.regex(/^[^\r\n]*$/, "concept must be a single line")
		),
		requests: v.pipe(
			v.array(
				v.pipe(
					v.string("each request must be a string"),
					v.trim(),
					v.minLength(1, "a request is empty"),
					v.maxLength(
						MESSAGE_LIMITS.maxRatingRequestLength,
						`a request is longer than ${MESSAGE_LIMITS.maxRatingRequestLength} characters`
					)
				),
				"requests must be a list"
			),
			v.minLength(1, "give at least one request to answer"),
			v.maxLength(MESSAGE_LIMITS.maxRatingRequests, `give at most ${MESSAGE_LIMITS.maxRatingRequests} requests`)
		)
	}),
	v.object({ type: v.literal("stopRating") })
]);
export type VectorViewerMessage = v.InferOutput<typeof VectorViewerMessage>;

const Histogram = v.object({
	edges: v.array(v.number()),
	positive: v.array(v.number()),
	negative: v.array(v.number())
});

export const LayerReport = v.object({
	layer: v.number(),
	/** Length of the direction the file applies at strength 1 (0 when the file has none for the layer). */
	norm: v.number(),
	steered: v.boolean(),
	explained: v.optional(v.number()),
	heldOut: v.optional(v.nullable(v.number())),
	agreement: v.optional(v.number()),
	/** Mean cosine of the pairs' differences with the direction (null: unpaired examples or an older file). */
	consistency: v.optional(v.nullable(v.number())),
	hiddenNorm: v.optional(v.number()),
	histogram: v.optional(Histogram)
});
export type LayerReport = v.InferOutput<typeof LayerReport>;

export const CalibrationReport = v.object({
	points: v.array(
		v.object({
			strength: v.number(),
			readout: v.number(),
			fluent: v.boolean(),
			realWords: v.number(),
			/** KL divergence from the unsteered model, nats per token (absent at 0 and in older files). */
			kl: v.optional(v.number()),
			/** Perplexity of the samples under the unsteered model (absent in older files). */
			perplexity: v.optional(v.number())
		})
	),
	/** Which multiple of the trained push became strength 1. */
	chosen: v.number(),
	reason: v.string(),
	readLayer: v.number(),
	/** In words: the effect against a random direction's, and the samples moved the wrong way (older files: absent). */
	reliability: v.optional(v.string()),
	/** In words: which steering profile the search chose and what each candidate did (absent without a search). */
	profile: v.optional(v.string())
});
export type CalibrationReport = v.InferOutput<typeof CalibrationReport>;

const Ratings = v.object({ concept: v.number(), instruction: v.number(), fluency: v.number() });

/** What `rate` found: one row per condition (unsteered, steered, and the prompt-only baseline when the model follows requests). */
export const RatingsView = v.object({
	concept: v.string(),
	/** The strength the file was rated at (the viewer's strength). */
	strength: v.number(),
	/** How it was steered, in words: "at strength 1, layers 3–5, on every token". */
	steering: v.string(),
	/** Who judged, in words (the loaded model, in its template or as plain text). */
	judge: v.string(),
	/** False when the model has no chat template: then there is no prompt-only baseline. */
	promptBaseline: v.boolean(),
	rows: v.array(
		v.object({
			condition: v.picklist(["unsteered", "steered", "prompted"]),
			/** Mean harmonic score, 0–2. */
			score: v.number(),
			mean: Ratings,
			samples: v.array(v.object({ prompt: v.string(), text: v.string(), score: v.number(), ratings: Ratings }))
		})
	)
});
export type RatingsView = v.InferOutput<typeof RatingsView>;

export const VectorViewerUpdate = v.variant("type", [
	v.object({
		type: v.literal("report"),
		fileName: v.string(),
		name: v.string(),
		width: v.number(),
		modelHint: v.optional(v.string()),
		/** Set when the file cannot steer the loaded model, saying why. */
		mismatch: v.optional(v.string()),
		trainedBySteer: v.boolean(),
		method: v.optional(v.string()),
		examples: v.optional(v.string()),
		suggested: v.optional(v.tuple([v.number(), v.number()])),
		placement: v.string(),
		layers: v.array(LayerReport),
		calibration: v.optional(CalibrationReport),
		metadata: v.array(v.tuple([v.string(), v.string()])),
		/** Null when the file is not in Steer's vectors folder, so it cannot be activated from here. */
		steering: v.nullable(v.object({ active: v.boolean(), strength: v.number(), modelLoaded: v.boolean() })),
		/** The requests "Compare with asking" starts from, when it can run (a model loaded, the file in the vectors folder and fitting it). */
		ratingRequests: v.optional(v.array(v.string()))
	}),
	v.object({ type: v.literal("unreadable"), fileName: v.string(), message: v.string() }),
	v.object({ type: v.literal("ratingProgress"), done: v.number(), total: v.number() }),
	v.object({ type: v.literal("ratings"), ratings: RatingsView }),
	/** The rating stopped (cancelled, or failed: the notification says why too). */
	v.object({ type: v.literal("ratingEnded"), message: v.string() })
]);
export type VectorViewerUpdate = v.InferOutput<typeof VectorViewerUpdate>;
export type VectorReport = Extract<VectorViewerUpdate, { type: "report" }>;

export function readVectorViewerMessage(value: unknown): ReadMessage<VectorViewerMessage> {
	return readMessage(VectorViewerMessage, value);
}
