/**
 * Calibration by measurement: after training, find the strength that gives a clear effect with the text
 * still fluent, and make it the file's 1.0.
 *
 * The fixed push of trainFromPairs (a fraction of each layer's typical hidden-state norm) means
 * different things for different concepts and models: on one it barely shows, on another the text
 * already loops. So the trained vector is tried: from a few neutral prompts it generates briefly at a
 * ladder of strengths (multiples of the fixed push), and at each one measures
 * - the effect, with a readout that needs no keywords: the generated texts are read back by the
 *   unsteered model, their mean hidden state at the read layer is projected on the trained direction,
 *   and the projection is put on the training pairs' scale (negatives' mean 0, positives' mean 1);
 * - the side effects, with the degeneration guard: the share of real English words, the distinct-word
 *   ratio and the share of degenerate samples against the unsteered samples of the same prompts.
 *
 * The search starts at the fixed push and walks a ladder of doubling strengths up while the text stays
 * fluent and the readout has not reached the target, or down until the text is fluent; then it tries
 * midpoints between the last fluent and the first broken strength; it also stops at a time budget. The
 * chosen strength is the weakest fluent one whose readout rises above the unsteered texts' by the
 * target gain, or, when none does, the strongest fluent one reading about as well as the best
 * (chooseStrength). The gain, not the readout itself, is what the target compares: for an instruct
 * model the pairs are read in the chat template and the generated texts are not, so the two share the
 * scale's unit (the pairs' gap) but not
 * its zero. The vector is then scaled so that this strength is
 * 1.0, and the curve goes into the file (trainedVectorFile) so the choice can be checked later.
 */
import { compareFluency, summarizeFluency, type FluencyBounds, type FluencySummary } from "../evaluation/degeneration";
import { perplexity } from "../evaluation/perplexity";
import { measureReliability, randomDirectionsLike, type SteeringReliability } from "../evaluation/reliability";
import type { SteeringPlacement } from "../placement";
import type { PositionSpec } from "../positions";
import type {
	CalibrationCurve,
	CalibrationPoint,
	CalibrationReason,
	ProfileCandidate,
	ProfileChoice
} from "./calibrationCurve";
import type { SteeringProfile } from "./steeringProfiles";
import type { SteeringVector } from "../vector";
import type { ExampleTexts, PairTexts } from "./collectActivations";
import type { HiddenStateSource, TextToCapture } from "./hiddenStateSource";
import type { SteerableModel } from "./steerableModel";
import type { TrainedVector } from "./trainFromPairs";

/**
 * Neutral beginnings of a text, continued as plain text: for models without a chat template, and for
 * vectors trained on raw text. An instruct model whose pairs were read as conversations is calibrated
 * in chat instead (CHAT_CALIBRATION_PROMPTS).
 */
export const CALIBRATION_PROMPTS: readonly string[] = ["Once upon a time", "One day,", "There was a", "Every morning"];

/**
 * Neutral requests for an instruct model calibrated in chat (CalibrationOptions.chat): user messages
 * that ask for some text without asking for any concept, answered in the model's template as it is used.
 */
export const CHAT_CALIBRATION_PROMPTS: readonly string[] = [
	"Tell me a short story.",
	"Write a few sentences about a day in the park.",
	"Describe what you would do on a free afternoon.",
	"Tell me about a small town."
];

/** Multiples of the trained push that are tried, in ascending order. */
export const CALIBRATION_LADDER: readonly number[] = [0.25, 0.5, 1, 2, 4, 8];

/** Seed of the random directions whose effect is the floor (measureReliability). */
export const RANDOM_DIRECTION_SEED = 0x5eed;

/** Midpoints tried between the last fluent and the first broken rung. */
export const CALIBRATION_REFINE_STEPS = 2;

/** The search stops when it has taken this long (the choice is made from what was measured). */
export const CALIBRATION_MAX_SECONDS = 120;

/**
 * Without a strength reaching the target, the strongest fluent one whose readout gain is within this
 * of the best fluent gain: readouts of 16 short samples differ by about this much between neighbouring
 * strengths, and a push past the best readout can move the text off the concept.
 */
export const READOUT_TOLERANCE = 0.15;

/**
 * The readout gain over the unsteered texts at which the effect counts as clear: one gap between the
 * training negatives and positives. On the tuning concepts (scripts/tune-calibration.ts) the stories
 * carried the concept clearly from gains of 0.4–1.0 on; the gain rarely reaches 1 before the text
 * degenerates, so most choices are made by fluency, and the target stops the ladder early where the
 * effect is already strong.
 */
export const DEFAULT_READOUT_TARGET = 1;

/**
 * Fluency bounds of calibration: a margin inside the goal (0.9× real words, 0.7× distinct words of the
 * unsteered text), since they are judged on few short samples and the chosen strength must hold on
 * other prompts and longer texts.
 */
export const CALIBRATION_FLUENCY_BOUNDS: Required<FluencyBounds> = {
	minWordShareRatio: 0.93,
	minDistinctRatio: 0.78,
	maxExtraDegenerateShare: 0.2
};

export interface CalibrationOptions {
	/** Neutral prompts. Default CALIBRATION_PROMPTS. */
	readonly prompts?: readonly string[];
	/** Multiples of the trained push to try, ascending. Default CALIBRATION_LADDER. */
	readonly ladder?: readonly number[];
	/** Midpoints tried between the last fluent and the first broken rung. Default CALIBRATION_REFINE_STEPS. */
	readonly refineSteps?: number;
	/** Time budget of the search in seconds. Default CALIBRATION_MAX_SECONDS. */
	readonly maxSeconds?: number;
	/** Sampling seeds per prompt. Default [1, 2, 3, 4]. */
	readonly seeds?: readonly number[];
	/** Tokens per sample. Default 40. */
	readonly maxTokens?: number;
	/** Default 0.8. */
	readonly temperature?: number;
	readonly stop?: readonly string[];
	/** Readout gain over the unsteered texts that counts as a clear effect. Default DEFAULT_READOUT_TARGET. */
	readonly readoutTarget?: number;
	/** Default CALIBRATION_FLUENCY_BOUNDS. */
	readonly fluencyBounds?: FluencyBounds;
	/**
	 * Where the vector will act (placement.ts): calibrated as it will be used, since steering fewer
	 * positions needs a stronger push for the same effect. Every position when omitted.
	 */
	readonly placement?: SteeringPlacement;
	/**
	 * Calibrate an instruct model as it is used: the prompts are user messages (default
	 * CHAT_CALIBRATION_PROMPTS) answered in its chat template — `model` must generate in chat mode
	 * (engineSteerableModel with `chat`) — and each answer is read back after `promptAsRead(prompt)`, the
	 * message rendered in the template, read with special tokens by `source`, as the chat-rendered
	 * training pairs were.
	 */
	readonly chat?: {
		readonly promptAsRead: (userMessage: string) => Promise<string>;
		/** The system message `model` answers under, if any: recorded in the curve (CalibrationCurve.chat). */
		readonly system?: string;
	};
	/** Seed of the reliability floor's first random direction (sample i draws with seed + i). Default RANDOM_DIRECTION_SEED. */
	readonly randomSeed?: number;
	readonly signal?: AbortSignal;
	/** (generations done, generations at most): the ladder may stop early, so `done` can end below `total`. */
	readonly onProgress?: (done: number, total: number) => void;
}

/**
 * The chosen strength from a measured curve (points ascending, from 0).
 * - the weakest fluent strength whose readout exceeds the unsteered one (strength 0) by the target:
 *   the effect is clear, and more push would only cost fluency;
 * - else, among the fluent strengths before the first that broke, the strongest whose readout gain is
 *   within `tolerance` of the best: on the tuning concepts the effect mostly kept growing with the push
 *   until the text degenerated ("fluency-limit" when that is the strongest fluent one, "ladder-end"
 *   when nothing broke, "best-readout" when a weaker one read clearly better);
 * - when nothing was fluent, the smallest strength tried.
 */
export function chooseStrength(
	points: readonly Pick<CalibrationPoint, "strength" | "readout" | "fluent">[],
	target: number,
	tolerance = READOUT_TOLERANCE
): { strength: number; reason: CalibrationReason } {
	const tried = points.filter((point) => point.strength > 0).sort((a, b) => a.strength - b.strength);
	if (tried.length === 0) throw new RangeError("calibration tried no strength above 0");
	const brokenAt = tried.findIndex((point) => !point.fluent);
	const fluent = brokenAt === -1 ? tried : tried.slice(0, brokenAt);
	if (fluent.length === 0) return { strength: tried[0]!.strength, reason: "nothing-fluent" };
	const unsteered = points.find((point) => point.strength === 0)?.readout ?? 0;
	const reaching = fluent.find((point) => point.readout - unsteered >= target);
	if (reaching) return { strength: reaching.strength, reason: "target" };
	const best = Math.max(...fluent.map((point) => point.readout));
	const chosen = fluent.filter((point) => point.readout >= best - tolerance).at(-1)!;
	if (chosen !== fluent.at(-1)) return { strength: chosen.strength, reason: "best-readout" };
	return { strength: chosen.strength, reason: brokenAt === -1 ? "ladder-end" : "fluency-limit" };
}

/** Two significant digits: 2.83 → 2.8, 0.375 → 0.38. */
function roundStrength(value: number): number {
	return Number(value.toPrecision(2));
}

/**
 * The training pairs' (or labelled examples') texts, each the answer after its prompt, marked by the side
 * it shows: read on the readout's scale here and for their likelihood by calibrateVector.
 */
export function trainingTextsOf(
	pairs: readonly PairTexts[] | readonly ExampleTexts[]
): (TextToCapture & { readonly positive: boolean })[] {
	const item = (prompt: string | undefined, text: string, positive: boolean) =>
		prompt === undefined ? { text, positive } : { text: prompt + text, prompt, positive };
	return pairs.flatMap((entry: PairTexts | ExampleTexts) =>
		"completion" in entry
			? [item(entry.prompt, entry.completion, entry.label === 1)]
			: [item(entry.prompt, entry.positive, true), item(entry.prompt, entry.negative, false)]
	);
}

/** The layer the readout reads: the steered layer whose pairs separate best (the last on a tie). */
export function readLayerOf(trained: Pick<TrainedVector, "suggestedLayers" | "diagnostics">): number {
	let best: { layer: number; score: number } | undefined;
	for (const layer of trained.suggestedLayers) {
		const entry = trained.diagnostics.find((diagnostic) => diagnostic.layer === layer);
		const score = entry ? (entry.heldOutAccuracy ?? entry.agreement) : -1;
		if (!best || score >= best.score) best = { layer, score };
	}
	if (!best) throw new RangeError("the vector steers no layer");
	return best.layer;
}

/** The whole text, averaged: the same reading for the training pairs and for the generated texts. */
const READ_POSITIONS: PositionSpec = { select: "all", mean: true };

/**
 * Measures the trained vector at the ladder's strengths and returns it rescaled so that the chosen
 * strength is 1.0, with the curve. `pairs` are the texts it was trained on (for the readout's scale):
 * its contrast pairs, or its labelled examples when it was trained from unpaired ones.
 */
export async function calibrateStrength(
	trained: TrainedVector,
	pairs: readonly PairTexts[] | readonly ExampleTexts[],
	model: SteerableModel,
	source: HiddenStateSource,
	options: CalibrationOptions = {}
): Promise<TrainedVector> {
	const started = performance.now();
	const prompts = options.prompts ?? (options.chat ? CHAT_CALIBRATION_PROMPTS : CALIBRATION_PROMPTS);
	const readPrompts = new Map<string, string>();
	for (const prompt of prompts)
		readPrompts.set(prompt, options.chat ? await options.chat.promptAsRead(prompt) : prompt);
	const ladder = [...(options.ladder ?? CALIBRATION_LADDER)];
	const seeds = options.seeds ?? [1, 2, 3, 4];
	const maxTokens = options.maxTokens ?? 40;
	const temperature = options.temperature ?? 0.8;
	const target = options.readoutTarget ?? DEFAULT_READOUT_TARGET;
	const bounds = options.fluencyBounds ?? CALIBRATION_FLUENCY_BOUNDS;
	const { signal } = options;
	if (prompts.length === 0) throw new RangeError("calibration needs at least one prompt");
	if (seeds.length === 0) throw new RangeError("calibration needs at least one seed");
	if (prompts.length * seeds.length < 2)
		throw new RangeError(
			"calibration needs at least two samples (prompts × seeds) to compare with a random direction"
		);
	if (ladder.length === 0 || ladder.some((strength, i) => !(strength > 0) || (i > 0 && strength <= ladder[i - 1]!)))
		throw new RangeError(`the calibration ladder must be positive strengths in ascending order, got ${ladder}`);
	if (pairs.length === 0) throw new RangeError("calibration needs the training pairs");

	const readLayer = readLayerOf(trained);
	const unit = trained.unitVector.directions.get(readLayer);
	if (!unit) throw new RangeError(`layer ${readLayer} has no trained direction`);
	const project = (rows: Float32Array) => dot(rows, unit) / Math.max(1, rows.length / unit.length);
	const readAll = async (items: readonly TextToCapture[]): Promise<number[]> => {
		const captured = await source.capture(items, { layers: [readLayer], positions: READ_POSITIONS, signal });
		return captured.map((layers) => project(layers[0]!.hidden));
	};

	// The scale: where the training positives and negatives read.
	const trainingTexts = trainingTextsOf(pairs);
	const trainingReadings = await readAll(trainingTexts.map(({ text }) => ({ text })));
	const positiveProjection = mean(trainingReadings.filter((_, i) => trainingTexts[i]!.positive));
	const negativeProjection = mean(trainingReadings.filter((_, i) => !trainingTexts[i]!.positive));
	const gap = positiveProjection - negativeProjection;
	if (!(Math.abs(gap) > 0)) throw new RangeError("the training pairs read the same at the read layer");

	const samplesPerStrength = prompts.length * seeds.length;
	// The ladder, the unsteered samples, the midpoints and the random-direction floor.
	const total = (ladder.length + 2 + (options.refineSteps ?? CALIBRATION_REFINE_STEPS)) * samplesPerStrength;
	let done = 0;
	/** Per-sample readouts of every strength measured, for the reliability figures. */
	const readoutsAt = new Map<number, number[]>();
	/** `vectorOf(sample)` steers the sample-th sample (prompt-major); the trained vector by default. */
	const measure = async (
		strength: number,
		vectorOf: (sample: number) => SteeringVector = () => trained.vector
	): Promise<{ readout: number; fluency: FluencySummary; readouts: number[]; texts: string[] }> => {
		const texts: string[] = [];
		const items: TextToCapture[] = [];
		for (const prompt of prompts) {
			for (const seed of seeds) {
				signal?.throwIfAborted();
				const vector = vectorOf(texts.length);
				const text = await model.generate(
					{
						prompt,
						maxTokens,
						temperature,
						seed,
						stop: options.stop,
						steering: strength === 0 ? [] : [{ vector, strength }],
						...(options.placement && strength !== 0 ? { placement: options.placement } : {})
					},
					signal
				);
				texts.push(text);
				items.push({ text: readPrompts.get(prompt)! + text });
				options.onProgress?.(++done, total);
			}
		}
		const readouts = (await readAll(items)).map((reading) => (reading - negativeProjection) / gap);
		return { readout: mean(readouts), fluency: summarizeFluency(texts), readouts, texts };
	};

	const baseline = await measure(0);
	readoutsAt.set(0, baseline.readouts);
	// The unsteered samples with their prompts, and their unsteered log-probabilities, for the KL divergence.
	const neutral = baseline.texts
		.map((text, i) => ({ prompt: prompts[Math.floor(i / seeds.length)]!, text }))
		.filter((sample) => sample.text.length > 0);
	const unsteeredLogProbs: Float32Array[] = [];
	for (const sample of neutral) {
		signal?.throwIfAborted();
		unsteeredLogProbs.push(await model.continuationLogProbs(sample.prompt, sample.text, signal));
	}
	/**
	 * How much less likely the steered model finds the unsteered model's own text: the mean of log p − log q
	 * over the unsteered samples' tokens. Drawn at temperature 1 this would estimate KL(unsteered ‖ steered),
	 * the divergence Heretic judges abliteration by; drawn at the calibration's 0.8 it is an estimate of
	 * it, not the exact value (and can even come out slightly negative). The vector acts on every position
	 * here, also when it is calibrated for a placement. Its time does not count against the search's budget.
	 */
	let sideEffectMilliseconds = 0;
	/** Side effects are measured outside the search's time budget (a slow model must not cut the search short for them). */
	const timed = async <T>(measureIt: () => Promise<T>): Promise<T> => {
		const began = performance.now();
		try {
			return await measureIt();
		} finally {
			sideEffectMilliseconds += performance.now() - began;
		}
	};
	const divergence = (strength: number) => timed(() => divergenceAt(strength));
	/**
	 * Perplexity of samples under the unsteered model: exp of the mean negative log-probability over all
	 * their tokens. Stored, not used to choose: a new topic raises it and a loop lowers it.
	 */
	const perplexityOfLogProbs = (logProbs: readonly Float32Array[]): number | undefined => {
		// All the samples' tokens pooled, as the strength sweep's perplexity reads them.
		const tokens = logProbs.flatMap((row) => [...row]);
		if (tokens.length === 0) return undefined;
		const value = perplexity(tokens);
		return Number.isFinite(value) ? value : undefined;
	};
	const perplexityOf = (texts: readonly string[]) =>
		timed(async () => {
			const logProbs: Float32Array[] = [];
			for (const [i, text] of texts.entries()) {
				if (text.length === 0) continue;
				signal?.throwIfAborted();
				logProbs.push(await model.continuationLogProbs(prompts[Math.floor(i / seeds.length)]!, text, signal));
			}
			return perplexityOfLogProbs(logProbs);
		});
	const divergenceAt = async (strength: number): Promise<number | undefined> => {
		let sum = 0;
		let tokens = 0;
		for (const [i, sample] of neutral.entries()) {
			signal?.throwIfAborted();
			const steered = await model.continuationLogProbs(sample.prompt, sample.text, signal, {
				steering: [{ vector: trained.vector, strength }]
			});
			const unsteered = unsteeredLogProbs[i]!;
			const count = Math.min(steered.length, unsteered.length);
			for (let t = 0; t < count; t++) sum += unsteered[t]! - steered[t]!;
			tokens += count;
		}
		const value = tokens > 0 ? sum / tokens : undefined;
		// A push that overflows the hidden states gives no number JSON could carry: left out.
		return value !== undefined && Number.isFinite(value) ? value : undefined;
	};
	const baselinePerplexity = perplexityOfLogProbs(unsteeredLogProbs);
	const points: CalibrationPoint[] = [
		{
			strength: 0,
			readout: baseline.readout,
			fluency: baseline.fluency,
			fluent: true,
			...(baselinePerplexity === undefined ? {} : { perplexity: baselinePerplexity })
		}
	];
	const maxSeconds = options.maxSeconds ?? CALIBRATION_MAX_SECONDS;
	const outOfTime = () => (performance.now() - started - sideEffectMilliseconds) / 1000 > maxSeconds;
	const tryStrength = async (strength: number): Promise<CalibrationPoint> => {
		const { readouts, texts, ...measured } = await measure(strength);
		readoutsAt.set(strength, readouts);
		const comparison = compareFluency(measured.fluency, baseline.fluency, bounds);
		const klPerToken = await divergence(strength);
		const perplexity = await perplexityOf(texts);
		const point = {
			strength,
			...measured,
			comparison,
			fluent: comparison.fluent,
			...(klPerToken === undefined ? {} : { klPerToken }),
			...(perplexity === undefined ? {} : { perplexity })
		};
		points.push(point);
		return point;
	};
	let lastFluent = 0;
	let firstBroken: number | undefined;
	let timedOut = false;
	// The search starts at the fixed push (the rung nearest 1) and walks up while the text stays
	// fluent, or down until it is fluent again, so the fixed push is always measured, even when the
	// time budget stops the search early.
	const start = Math.max(
		0,
		Math.min(
			ladder.length - 1,
			ladder.findIndex((strength) => strength >= 1)
		)
	);
	const first = await tryStrength(ladder[start]!);
	const reached = (point: CalibrationPoint) => point.readout - baseline.readout >= target;
	if (first.fluent) {
		lastFluent = first.strength;
		// The weakest fluent strength with a clear effect is found: more push would not be chosen.
		for (let index = start + 1; index < ladder.length && !reached(points.at(-1)!); index++) {
			if (outOfTime()) {
				timedOut = true;
				break;
			}
			const point = await tryStrength(ladder[index]!);
			if (!point.fluent) {
				firstBroken = point.strength;
				break;
			}
			lastFluent = point.strength;
		}
	} else {
		// Down until the text is fluent, whatever the time: a file whose 1.0 breaks the text is no
		// choice. Below the ladder the strength keeps halving, to an eighth of its lowest rung.
		firstBroken = first.strength;
		const floor = ladder[0]! / 8;
		for (let index = start - 1; ; index--) {
			const strength = index >= 0 ? ladder[index]! : roundStrength(firstBroken / 2);
			if (strength < floor) break;
			const point = await tryStrength(strength);
			if (point.fluent) {
				lastFluent = point.strength;
				break;
			}
			firstBroken = point.strength;
		}
	}
	if (reached(points.at(-1)!) && points.at(-1)!.fluent) firstBroken = undefined;
	for (let step = 0; step < (options.refineSteps ?? CALIBRATION_REFINE_STEPS) && firstBroken !== undefined; step++) {
		// Nothing fluent was found even at the bottom: no midpoint below it is looked for.
		if (lastFluent === 0) break;
		const middle = roundStrength((lastFluent + firstBroken) / 2);
		if (middle <= lastFluent || middle >= firstBroken) break;
		if (outOfTime()) {
			timedOut = true;
			break;
		}
		const point = await tryStrength(middle);
		if (point.fluent) lastFluent = middle;
		else firstBroken = middle;
	}
	points.sort((a, b) => a.strength - b.strength);
	const chosen = chooseStrength(points, target);
	// Out of time before the text broke: the strongest tried was chosen for want of stronger ones.
	const choice = timedOut && chosen.reason === "ladder-end" ? { ...chosen, reason: "time-limit" as const } : chosen;
	// The floor: directions of the same lengths but no meaning, on the same prompts and seeds, a fresh
	// draw for every sample (seed, seed + 1, …), so the floor is an average over as many random directions
	// as there are samples rather than the luck of one, at no extra cost.
	// Measured even when the time budget is spent: one more set of samples, and the figures every file carries.
	const randomSeed = options.randomSeed ?? RANDOM_DIRECTION_SEED;
	const random = await measure(choice.strength, (sample) =>
		randomDirectionsLike(trained.vector, randomSeed + sample)
	);
	const reliability = measureReliability(baseline.readouts, readoutsAt.get(choice.strength)!, random.readouts);
	const curve: CalibrationCurve = {
		points,
		chosen: choice.strength,
		reason: choice.reason,
		readoutTarget: target,
		readLayer,
		positiveProjection,
		negativeProjection,
		prompts: prompts.length,
		seeds: seeds.length,
		maxTokens,
		reliability,
		...(options.chat ? { chat: options.chat.system === undefined ? {} : { system: options.chat.system } } : {}),
		seconds: (performance.now() - started) / 1000
	};
	const calibrated = rescaleTrained(trained, choice.strength, curve);
	return options.placement && options.placement.kind !== "all"
		? { ...calibrated, placement: options.placement }
		: calibrated;
}

/** The trained vector with its directions (and α, push fraction) multiplied by `factor`, carrying `curve`. */
export function rescaleTrained(trained: TrainedVector, factor: number, curve: CalibrationCurve): TrainedVector {
	if (!(factor > 0) || !Number.isFinite(factor))
		throw new RangeError(`the calibration factor must be a positive number, got ${factor}`);
	const vector: SteeringVector = {
		nEmbd: trained.vector.nEmbd,
		directions: new Map(
			[...trained.vector.directions].map(([layer, direction]) => [
				layer,
				direction.map((value) => value * factor)
			])
		)
	};
	return {
		...trained,
		vector,
		rawAlphaPerLayer: new Map([...trained.rawAlphaPerLayer].map(([layer, alpha]) => [layer, alpha * factor])),
		pushFraction: trained.pushFraction * factor,
		calibration: curve
	};
}

/** One line for people: what was chosen and why. */
export function describeCalibration(curve: CalibrationCurve): string {
	const at = curve.points.find((point) => point.strength === curve.chosen);
	const base = curve.points[0]!;
	const readout = at
		? `readout ${base.readout.toFixed(2)} unsteered → ${at.readout.toFixed(2)}${at.klPerToken === undefined ? "" : `, KL ≈ ${at.klPerToken.toFixed(3)} nats/token from the unsteered model`}${at.perplexity === undefined || base.perplexity === undefined ? "" : `, perplexity ${base.perplexity.toFixed(1)} → ${at.perplexity.toFixed(1)}`}`
		: "";
	const broken = curve.points.find((point) => !point.fluent);
	const limit = broken ? `, text degenerates from ${broken.strength}×` : "";
	const why =
		curve.reason === "target"
			? `the weakest push whose readout gains the target ${curve.readoutTarget} over the unsteered text`
			: curve.reason === "fluency-limit"
				? `no fluent push gained the readout target ${curve.readoutTarget}; the strongest before the text degenerates`
				: curve.reason === "best-readout"
					? `no fluent push gained the readout target ${curve.readoutTarget}; the one that read most like the concept`
					: curve.reason === "ladder-end"
						? `no push gained the readout target ${curve.readoutTarget}; the strongest tried`
						: curve.reason === "time-limit"
							? `no push gained the readout target ${curve.readoutTarget} within the time budget; the strongest tried`
							: "no push kept the text fluent; the weakest tried";
	const reliability = curve.reliability ? `; ${describeReliability(curve.reliability)}` : "";
	const profile = curve.profile ? `; ${describeProfileChoice(curve.profile)}` : "";
	return `calibrated: strength 1.0 = ${curve.chosen}× the trained push (${why}; ${readout}${limit}${reliability}${profile}; ${curve.seconds.toFixed(1)} s)`;
}

const PROFILE_NAMES: Readonly<Record<SteeringProfile, string>> = {
	band: "the band",
	"every-layer": "every layer pushed alike"
};

/**
 * "every layer pushed alike (1–4) chosen: the training pairs read 5.2 nats likelier at its 1.0, the band (3) 3.1",
 * or that the band alone was calibrated for want of time.
 */
export function describeProfileChoice(choice: ProfileChoice): string {
	const layers = (entry: ProfileCandidate) =>
		entry.layers.length === 1 ? `${entry.layers[0]}` : `${entry.layers[0]}–${entry.layers.at(-1)}`;
	const gain = (entry: ProfileCandidate) =>
		entry.pairGain === undefined ? "no finite likelihood" : `${entry.pairGain.toFixed(1)} nats`;
	const chosen = choice.candidates.find((entry) => entry.profile === choice.chosen)!;
	const others = choice.candidates.filter((entry) => entry !== chosen);
	if (others.length === 0) {
		const skipped = (choice.skipped ?? []).map((profile) => PROFILE_NAMES[profile]).join(", ");
		return `${PROFILE_NAMES[chosen.profile]} only (${skipped || "no other profile"} not tried: the search had used over half of its time)`;
	}
	return `${PROFILE_NAMES[chosen.profile]} (${layers(chosen)}) chosen: the training pairs read ${gain(chosen)} likelier at its 1.0 than unsteered, ${others.map((entry) => `${PROFILE_NAMES[entry.profile]} (${layers(entry)}) ${gain(entry)}`).join(", ")}`;
}

/** "effect 6.1× a random direction's, 1/16 samples moved the other way" (the multiple a lower bound when the floor is noise). */
export function describeReliability(reliability: SteeringReliability): string {
	const { overRandom } = reliability;
	const floor =
		overRandom === null
			? "not comparable with a random direction's (which changed no sample's reading)"
			: reliability.gain <= 0
				? `none: the readout did not rise (${reliability.gain.toFixed(2)}; a random direction's ${reliability.randomGain.toFixed(2)})`
				: reliability.floorIsNoise
					? `≥ ${overRandom.toFixed(1)}× a random direction's (whose effect is within noise)`
					: `${overRandom.toFixed(1)}× a random direction's`;
	const against = Math.round(reliability.antiSteerableShare * reliability.samples);
	return `effect ${floor}, ${against}/${reliability.samples} samples moved the other way`;
}

function dot(rows: Float32Array, direction: Float32Array): number {
	// Several rows (when a source ignores the mean) are summed here and divided by their count by the caller;
	// choosing the rows, the first token left out included, is the source's part (the engine's positions.ts).
	let sum = 0;
	for (let i = 0; i < rows.length; i++) sum += rows[i]! * direction[i % direction.length]!;
	return sum;
}

function mean(values: readonly number[]): number {
	return values.reduce((sum, value) => sum + value, 0) / values.length;
}
