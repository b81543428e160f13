/**
 * A degeneration guard: does a generated text still read like language, judged from the text alone?
 *
 * Perplexity under the unsteered model misjudges steered text both ways (a new topic raises it,
 * repetition lowers it), so the guard looks at the text itself:
 * - loops ("his dad with his dad with his dad"): few distinct word bigrams and trigrams, and a text that
 *   deflate compresses far better than prose;
 * - character garbage ("Chirirhhirhhhhhirhhhhhhhh", "barargge"): a low share of real English words, or a
 *   letter repeated many times in a row;
 * - collapse (",,,,,,,, dog,,,,", or next to nothing): few words, or characters that are mostly not letters.
 *
 * `checkDegeneration` judges one sample against fixed limits that fluent text from small story models
 * stays far from; `compareFluency` compares a set of samples with unsteered samples of the same prompts,
 * by the two measures steering is held to: the share of real English words (≥ 0.9× unsteered) and the
 * distinct-word ratio (≥ 0.7× unsteered).
 */
import { deflateRawSync } from "node:zlib";
import { englishWords } from "./englishWords";

export interface TextMeasures {
	/** Words: runs of letters (with inner apostrophes). */
	readonly words: number;
	/** Share of words found in the English word list (case-folded, "'s" and "n't" stripped); 0 without words. */
	readonly realWordShare: number;
	/**
	 * Distinct-word ratio, length-independent: the mean share of distinct words over every window of
	 * DISTINCT_WINDOW words (the whole text when shorter); 0 without words.
	 */
	readonly distinctWords: number;
	/** Distinct word bigrams / bigrams (1 when there are none). */
	readonly distinctBigrams: number;
	/** Distinct word trigrams / trigrams (1 when there are none). */
	readonly distinctTrigrams: number;
	/** Deflated size / UTF-8 size of the text; lower is more repetitive (1 for an empty text). */
	readonly compressionRatio: number;
	/** Longest run of one letter repeated, case-folded ("hhhhh" = 5). */
	readonly longestLetterRun: number;
	/** Share of the non-space characters that are letters (1 for an empty text). */
	readonly letterShare: number;
}

/** Window of the moving distinct-word ratio: long enough to see a loop, short enough for one sample. */
export const DISTINCT_WINDOW = 25;

export function measureText(text: string): TextMeasures {
	const words = text.match(/\p{L}+(?:['’]\p{L}+)*/gu) ?? [];
	const folded = words.map((word) => word.toLowerCase().replace(/['’]s$|n['’]t$/u, ""));
	const dictionary = englishWords();
	const real = folded.filter((word) => dictionary.has(word.replace(/['’]/gu, ""))).length;
	const nonSpace = text.replace(/\s+/gu, "");
	const letters = nonSpace.match(/\p{L}/gu)?.length ?? 0;
	const bytes = Buffer.byteLength(text, "utf8");
	return {
		words: words.length,
		realWordShare: words.length > 0 ? real / words.length : 0,
		distinctWords: movingDistinctRatio(folded, DISTINCT_WINDOW),
		distinctBigrams: distinctNgramRatio(folded, 2),
		distinctTrigrams: distinctNgramRatio(folded, 3),
		compressionRatio: bytes > 0 ? deflateRawSync(text, { level: 9 }).length / bytes : 1,
		longestLetterRun: longestLetterRun(text),
		letterShare: nonSpace.length > 0 ? letters / nonSpace.length : 1
	};
}

export type DegenerationReason = "loop" | "garbage" | "collapse";

export interface DegenerationVerdict {
	readonly degenerate: boolean;
	/** Each kind of breakdown found, with the measure that showed it. */
	readonly reasons: readonly { readonly kind: DegenerationReason; readonly detail: string }[];
	readonly measures: TextMeasures;
}

/**
 * Limits of one sample. Unsteered stories of 60 tokens from TinyStories-656K, stories260K and
 * SmolLM2-135M-Instruct (60 samples) measured distinct trigrams ≥ 0.94, distinct bigrams ≥ 0.87,
 * distinct words ≥ 0.70, real-word shares ≥ 0.81, letter shares ≥ 0.91 and compression ratios ≥ 0.55;
 * the loops and garbage of over-steered text fall below the limits.
 */
export interface DegenerationLimits {
	/** Fewer words than this is a collapse. Default 3. */
	readonly minWords?: number;
	/** Texts shorter than this many words are not judged for loops. Default 12. */
	readonly loopMinWords?: number;
	/** Default 0.8. */
	readonly minDistinctTrigrams?: number;
	/** Default 0.7. */
	readonly minDistinctBigrams?: number;
	/** Default 0.55. */
	readonly minDistinctWords?: number;
	/** Texts of at least 200 bytes that deflate below this ratio are a loop. Default 0.35. */
	readonly minCompressionRatio?: number;
	/** Default 0.7. */
	readonly minRealWordShare?: number;
	/** A letter repeated this many times in a row is garbage. Default 5. */
	readonly maxLetterRun?: number;
	/** Default 0.8. */
	readonly minLetterShare?: number;
}

export function checkDegeneration(text: string, limits: DegenerationLimits = {}): DegenerationVerdict {
	const measures = measureText(text);
	const reasons: { kind: DegenerationReason; detail: string }[] = [];
	const fixed = (value: number) => value.toFixed(2);
	const minWords = limits.minWords ?? 3;
	if (measures.words < minWords) reasons.push({ kind: "collapse", detail: `${measures.words} words` });
	const minLetterShare = limits.minLetterShare ?? 0.8;
	if (measures.letterShare < minLetterShare)
		reasons.push({ kind: "collapse", detail: `letters are ${fixed(measures.letterShare)} of the characters` });
	if (measures.words >= (limits.loopMinWords ?? 12)) {
		if (measures.distinctTrigrams < (limits.minDistinctTrigrams ?? 0.8))
			reasons.push({ kind: "loop", detail: `distinct trigrams ${fixed(measures.distinctTrigrams)}` });
		else if (measures.distinctBigrams < (limits.minDistinctBigrams ?? 0.7))
			reasons.push({ kind: "loop", detail: `distinct bigrams ${fixed(measures.distinctBigrams)}` });
		else if (measures.distinctWords < (limits.minDistinctWords ?? 0.55))
			reasons.push({ kind: "loop", detail: `distinct words ${fixed(measures.distinctWords)}` });
	}
	if (Buffer.byteLength(text, "utf8") >= 200 && measures.compressionRatio < (limits.minCompressionRatio ?? 0.35))
		reasons.push({ kind: "loop", detail: `compresses to ${fixed(measures.compressionRatio)}` });
	if (measures.words >= minWords && measures.realWordShare < (limits.minRealWordShare ?? 0.7))
		reasons.push({ kind: "garbage", detail: `real words ${fixed(measures.realWordShare)}` });
	if (measures.longestLetterRun >= (limits.maxLetterRun ?? 5))
		reasons.push({ kind: "garbage", detail: `a letter ${measures.longestLetterRun} times in a row` });
	return { degenerate: reasons.length > 0, reasons, measures };
}

/** The fluency of a set of samples: means of the per-sample measures, and the share the guard rejects. */
export interface FluencySummary {
	readonly samples: number;
	/** Share of all words (pooled over the samples) that are real English words. */
	readonly realWordShare: number;
	/** Mean of the samples' distinct-word ratios (samples without words left out). */
	readonly distinctWords: number;
	/** Share of samples `checkDegeneration` rejects. */
	readonly degenerateShare: number;
}

export function summarizeFluency(texts: readonly string[], limits: DegenerationLimits = {}): FluencySummary {
	let words = 0;
	let real = 0;
	let distinct = 0;
	let withWords = 0;
	let degenerate = 0;
	for (const text of texts) {
		const verdict = checkDegeneration(text, limits);
		const { measures } = verdict;
		words += measures.words;
		real += measures.realWordShare * measures.words;
		if (measures.words > 0) {
			distinct += measures.distinctWords;
			withWords++;
		}
		if (verdict.degenerate) degenerate++;
	}
	return {
		samples: texts.length,
		realWordShare: words > 0 ? real / words : 0,
		distinctWords: withWords > 0 ? distinct / withWords : 0,
		degenerateShare: texts.length > 0 ? degenerate / texts.length : 0
	};
}

export interface FluencyBounds {
	/** Steered real-word share ≥ this × unsteered. Default 0.9. */
	readonly minWordShareRatio?: number;
	/** Steered distinct-word ratio ≥ this × unsteered. Default 0.7. */
	readonly minDistinctRatio?: number;
	/** Steered share of degenerate samples ≤ unsteered share + this. Default 0.25. */
	readonly maxExtraDegenerateShare?: number;
}

export interface FluencyComparison {
	readonly wordShareRatio: number;
	readonly distinctRatio: number;
	/** Degenerate share steered minus unsteered. */
	readonly extraDegenerateShare: number;
	/** All three within the bounds. */
	readonly fluent: boolean;
}

/** Steered samples against unsteered ones: is the steered text as fluent, within the bounds? */
export function compareFluency(
	steered: FluencySummary,
	unsteered: FluencySummary,
	bounds: FluencyBounds = {}
): FluencyComparison {
	const ratio = (value: number, base: number) => (base > 0 ? value / base : value > 0 ? 1 : 0);
	const wordShareRatio = ratio(steered.realWordShare, unsteered.realWordShare);
	const distinctRatio = ratio(steered.distinctWords, unsteered.distinctWords);
	const extraDegenerateShare = steered.degenerateShare - unsteered.degenerateShare;
	return {
		wordShareRatio,
		distinctRatio,
		extraDegenerateShare,
		fluent:
			wordShareRatio >= (bounds.minWordShareRatio ?? 0.9) &&
			distinctRatio >= (bounds.minDistinctRatio ?? 0.7) &&
			extraDegenerateShare <= (bounds.maxExtraDegenerateShare ?? 0.25)
	};
}

function distinctNgramRatio(words: readonly string[], n: number): number {
	const count = words.length - n + 1;
	if (count <= 0) return 1;
	const seen = new Set<string>();
	for (let i = 0; i < count; i++) seen.add(words.slice(i, i + n).join(" "));
	return seen.size / count;
}

function movingDistinctRatio(words: readonly string[], window: number): number {
	if (words.length === 0) return 0;
	if (words.length <= window) return new Set(words).size / words.length;
	const counts = new Map<string, number>();
	for (let i = 0; i < window; i++) counts.set(words[i]!, (counts.get(words[i]!) ?? 0) + 1);
	let sum = counts.size / window;
	for (let i = window; i < words.length; i++) {
		const leaving = words[i - window]!;
		const left = (counts.get(leaving) as number) - 1;
		if (left === 0) counts.delete(leaving);
		else counts.set(leaving, left);
		counts.set(words[i]!, (counts.get(words[i]!) ?? 0) + 1);
		sum += counts.size / window;
	}
	return sum / (words.length - window + 1);
}

function longestLetterRun(text: string): number {
	let longest = 0;
	let run = 0;
	let previous = "";
	for (const character of text.toLowerCase()) {
		if (/\p{L}/u.test(character) && character === previous) run++;
		else run = /\p{L}/u.test(character) ? 1 : 0;
		previous = character;
		longest = Math.max(longest, run);
	}
	return longest;
}
