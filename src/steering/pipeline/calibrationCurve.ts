/**
 * What calibration measured (calibrateStrength.ts), as a trained vector carries it and its file stores it.
 */
import type { FluencyComparison, FluencySummary } from "../evaluation/degeneration";
import type { SteeringReliability } from "../evaluation/reliability";

export interface CalibrationPoint {
	/** Multiple of the trained push. */
	readonly strength: number;
	/** Mean readout of the samples on the training scale (negatives 0, positives 1). */
	readonly readout: number;
	readonly fluency: FluencySummary;
	/** Against the unsteered samples (absent for strength 0). */
	readonly comparison?: FluencyComparison;
	/** Within the calibration's fluency bounds (true for strength 0). */
	readonly fluent: boolean;
	/**
	 * The KL divergence of the steered model from the unsteered one, estimated in nats per token as the mean
	 * log-probability drop of the unsteered samples (calibrateStrength's `divergence`; absent for strength 0,
	 * for samples without tokens, for a non-finite value and in older files). Measured, not yet used to choose.
	 */
	readonly klPerToken?: number;
	/**
	 * Perplexity of the samples under the unsteered model (exp of the mean negative log-probability per
	 * token; absent for samples without tokens and in older files). Measured, not used to choose: a new
	 * topic raises it and repetition lowers it, so it misjudges degeneration both ways.
	 */
	readonly perplexity?: number;
}

export type CalibrationReason =
	"target" | "fluency-limit" | "best-readout" | "ladder-end" | "time-limit" | "nothing-fluent";

/** A way of spreading the push over the layers (steeringProfiles.ts). */
export type SteeringProfile = "band" | "every-layer";

/** One way of spreading the push over the layers, calibrated on its own (calibrateVector). */
export interface ProfileCandidate {
	readonly profile: SteeringProfile;
	readonly layers: readonly number[];
	/** The multiple of its own fixed push its calibration chose, and why. */
	readonly chosen: number;
	readonly reason: CalibrationReason;
	/**
	 * How much likelier the model steered at that push finds the training positives than their negatives,
	 * over the same gap unsteered, in nats per text (evaluation/contrastLikelihood.ts). Absent when the
	 * steered model gave no finite log-probabilities.
	 */
	readonly pairGain?: number;
}

/** Which profile calibration chose, from which candidates (calibrateVector). */
export interface ProfileChoice {
	readonly chosen: SteeringProfile;
	/** The profiles calibrated, the chosen one among them. */
	readonly candidates: readonly ProfileCandidate[];
	/** A profile left out because the first one had used more than half of the time budget. */
	readonly skipped?: readonly SteeringProfile[];
}

export interface CalibrationCurve {
	/** Ascending by strength, from 0: the rungs tried and the midpoints between the last fluent and first broken one. */
	readonly points: readonly CalibrationPoint[];
	/** The multiple of the trained push that became 1.0. */
	readonly chosen: number;
	/**
	 * Why: the weakest fluent strength reaching the target ("target"); no fluent strength reached it, so
	 * the strongest fluent one below the first broken one ("fluency-limit") or the ladder's last
	 * ("ladder-end"; "time-limit" when the time budget ended the search first), or a weaker fluent one that read clearly more like the concept ("best-readout");
	 * or no strength was fluent, so the weakest tried ("nothing-fluent").
	 */
	readonly reason: CalibrationReason;
	/** The readout gain over strength 0 that counted as a clear effect. */
	readonly readoutTarget: number;
	readonly readLayer: number;
	/** Projections of the training positives' and negatives' mean on the read layer's unit direction. */
	readonly positiveProjection: number;
	readonly negativeProjection: number;
	readonly prompts: number;
	readonly seeds: number;
	readonly maxTokens: number;
	/**
	 * At the chosen strength: the effect over a random direction's and the share of samples moved the
	 * wrong way (evaluation/reliability.ts). Absent in files calibrated before it was measured.
	 */
	readonly reliability?: SteeringReliability;
	/**
	 * Set when the neutral prompts were user messages answered in the model's chat template, with the
	 * system message they were asked under: the file's 1.0 was measured so, and evaluating it (steer rate,
	 * the viewer's comparison) asks the same way. Absent for plain-text calibration and in older files.
	 */
	readonly chat?: { readonly system?: string };
	/**
	 * The profile search (calibrateVector): the points above are the chosen profile's. Absent when the band
	 * alone was calibrated (the default, and a search on one trained layer) and in older files.
	 */
	readonly profile?: ProfileChoice;
	/** The whole calibration's time, every profile's included. */
	readonly seconds: number;
}
