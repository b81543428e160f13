/**
 * Calibration of a trained vector as a whole: the strength of each way of spreading its push over the
 * layers (steeringProfiles.ts) is calibrated by measurement on its own (calibrateStrength), and the
 * profile whose calibrated push makes the training pairs' contrast likeliest is kept.
 *
 * Why a second readout: calibrateStrength's readout projects hidden states on the direction at one layer,
 * which ranks the strengths of one profile but not two profiles against each other — a push along the
 * direction at the read layer raises it whether or not the text follows (on stories260K it sent dogs to
 * the profile that carried dogs least). The likelihood gap of the training pairs is read from what the
 * model predicts instead: how much likelier, steered, it finds the texts that show the concept than
 * those that lack it (evaluation/contrastLikelihood.ts). Over a grid of settings of the tuning concepts on
 * stories260K it picked settings carrying the concept in 40 of 160 samples where the band alone gave 31 and
 * the projection readouts 32 (scripts/readout-figures.ts). Run as a search, though, it carried the tuning
 * concepts into 26 of 80 stories against the band's 25, and the held-out rain and snow into 1 and 0 of 16,
 * as the band does (docs/steering.md), so it is offered (`steer train --profile-search`), not the default.
 *
 * Each profile keeps its own fluency limit (calibrateStrength stops where the text breaks), so the
 * comparison is between pushes that all keep the text fluent. The second profile costs a second search:
 * it is tried only when the first took at most half of the time budget, within what is left of it (a
 * 135M-parameter model calibrated in chat on two CPU cores keeps the band alone). Here the first search's
 * time is all of it, side effects and the random floor included, which calibrateStrength's own budget
 * leaves out: the rule errs toward skipping the second search on a slow model. The likelihood gap is read
 * with the vector on every position, so the CLI refuses the search together with a placement.
 */
import { contrastLogLikelihoodGap } from "../evaluation/contrastLikelihood";
import type { WeightedVector } from "../vector";
import {
	calibrateStrength,
	CALIBRATION_MAX_SECONDS,
	trainingTextsOf,
	type CalibrationOptions
} from "./calibrateStrength";
import type { ProfileCandidate, ProfileChoice } from "./calibrationCurve";
import type { ExampleTexts, PairTexts } from "./collectActivations";
import type { HiddenStateSource, TokenLogProbSource } from "./hiddenStateSource";
import type { SteerableModel } from "./steerableModel";
import { everyLayerProfile, type SteeringProfile } from "./steeringProfiles";
import type { TrainedVector } from "./trainFromPairs";

/** The training pairs' likelihood is read three times after the searches: unsteered and at each profile's 1.0. */
const LIKELIHOOD_READS = 3;

export interface VectorCalibrationOptions extends CalibrationOptions {
	/**
	 * `search` compares the profiles; `band` (default) calibrates the suggested band alone, as
	 * calibrateStrength does. The search is not the default: on the concepts held out from tuning it did
	 * not carry the concept into more stories than the band (docs/steering.md).
	 */
	readonly profiles?: "search" | "band";
}

/**
 * calibrateStrength for each profile, then the one whose calibrated 1.0 raises the training pairs'
 * likelihood gap most (a profile whose text broke at every push only when all did). The result is that
 * profile's calibrated vector, its curve carrying the candidates (CalibrationCurve.profile) and the
 * whole time taken.
 */
export async function calibrateVector(
	trained: TrainedVector,
	pairs: readonly PairTexts[] | readonly ExampleTexts[],
	model: SteerableModel,
	source: HiddenStateSource & TokenLogProbSource,
	options: VectorCalibrationOptions = {}
): Promise<TrainedVector> {
	const started = performance.now();
	const alternative = options.profiles === "search" ? everyLayerProfile(trained) : undefined;
	const budget = options.maxSeconds ?? CALIBRATION_MAX_SECONDS;
	// Progress over both searches and the likelihood reads after them (a step each): the second search is
	// assumed as long as the first until it starts.
	let firstTotal = 0;
	const band = await calibrateStrength(trained, pairs, model, source, {
		...options,
		onProgress: (done, total) => {
			firstTotal = total;
			options.onProgress?.(done, alternative ? 2 * total + LIKELIHOOD_READS : total);
		}
	});
	if (!alternative) return band;
	const bandSeconds = band.calibration!.seconds;
	if (bandSeconds > budget / 2) {
		// What was counted for the second search and the reads will not run: the progress ends here.
		const whole = 2 * firstTotal + LIKELIHOOD_READS;
		options.onProgress?.(whole, whole);
		return withChoice(band, "band", [candidateOf("band", band)], started, ["every-layer"]);
	}
	let searched = firstTotal;
	const everyLayer = await calibrateStrength(alternative, pairs, model, source, {
		...options,
		maxSeconds: budget - bandSeconds,
		onProgress: (done, total) => {
			searched = firstTotal + total;
			options.onProgress?.(firstTotal + done, searched + LIKELIHOOD_READS);
		}
	});
	let reads = 0;
	const read = () => options.onProgress?.(searched + ++reads, searched + LIKELIHOOD_READS);

	const texts = trainingTextsOf(pairs);
	const gapUnder = async (steering: readonly WeightedVector[]): Promise<number | undefined> => {
		const logProbs = await source.suffixLogProbs(texts, { steering, signal: options.signal });
		read();
		// A push that overflows the hidden states gives no likelihood to compare.
		if (logProbs.some((row) => row.some((value) => Number.isNaN(value)))) return undefined;
		const gap = contrastLogLikelihoodGap(
			logProbs.map((row, i) => ({ positive: texts[i]!.positive, logProbs: row }))
		);
		return Number.isFinite(gap) ? gap : undefined;
	};
	const unsteeredGap = await gapUnder([]);
	if (unsteeredGap === undefined)
		throw new RangeError("the unsteered model gave the training texts no finite likelihood");
	const measured = async (profile: SteeringProfile, calibrated: TrainedVector): Promise<ProfileCandidate> => {
		const gap = await gapUnder([{ vector: calibrated.vector, strength: 1 }]);
		return candidateOf(profile, calibrated, gap === undefined ? undefined : gap - unsteeredGap);
	};
	const calibrated = { band, "every-layer": everyLayer } as const;
	const candidates = [await measured("band", band), await measured("every-layer", everyLayer)];
	const comparable = candidates.filter((entry) => entry.reason !== "nothing-fluent" && entry.pairGain !== undefined);
	const chosen = comparable.reduce<ProfileCandidate>(
		(best, entry) => (entry.pairGain! > best.pairGain! ? entry : best),
		comparable[0] ?? candidates[0]!
	);
	return withChoice(calibrated[chosen.profile], chosen.profile, candidates, started);
}

function candidateOf(profile: SteeringProfile, calibrated: TrainedVector, pairGain?: number): ProfileCandidate {
	return {
		profile,
		layers: [...calibrated.vector.directions.keys()].sort((a, b) => a - b),
		chosen: calibrated.calibration!.chosen,
		reason: calibrated.calibration!.reason,
		...(pairGain === undefined ? {} : { pairGain })
	};
}

function withChoice(
	calibrated: TrainedVector,
	chosen: SteeringProfile,
	candidates: readonly ProfileCandidate[],
	started: number,
	skipped?: readonly SteeringProfile[]
): TrainedVector {
	const profile: ProfileChoice = { chosen, candidates, ...(skipped ? { skipped } : {}) };
	return {
		...calibrated,
		calibration: { ...calibrated.calibration!, profile, seconds: (performance.now() - started) / 1000 }
	};
}
