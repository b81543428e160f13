/**
 * A small SentencePiece-style (llama.cpp "llama" tokenizer) vocabulary for generated test models:
 * the three special tokens, all 256 byte-fallback tokens (so any text can be tokenized) and a few
 * hundred English pieces so that common words become single tokens.
 */

/** llama.cpp token types. */
export const TokenType = { normal: 1, unknown: 2, control: 3, byte: 6 } as const;

export interface TinyVocabulary {
	readonly tokens: readonly string[];
	readonly scores: Float32Array;
	readonly tokenTypes: Int32Array;
	readonly unknownId: number;
	readonly bosId: number;
	readonly eosId: number;
}

/** SentencePiece marks a word-initial space with U+2581. */
const SPACE = "\u2581";

const WORDS = [
	"the",
	"a",
	"and",
	"was",
	"once",
	"upon",
	"time",
	"there",
	"little",
	"girl",
	"boy",
	"dog",
	"cat",
	"she",
	"he",
	"it",
	"to",
	"of",
	"in",
	"on",
	"happy",
	"sad",
	"big",
	"small",
	"day",
	"said",
	"play",
	"with",
	"her",
	"his",
	"is",
	"they",
	"we",
	"you",
	"I",
	"not",
	"but",
	"so",
	"very",
	"good",
	"bad",
	"love",
	"hate",
	"sun",
	"tree",
	"park",
	"ball",
	"friend",
	"mom",
	"dad",
	"went",
	"saw",
	"had",
	"Lily",
	"Tom",
	"Once",
	"The",
	"She",
	"He",
	"One"
];
const PUNCTUATION = [".", ",", "!", "?", "'", '"', ":", ";", "-", "(", ")"];

export function makeTinyVocabulary(): TinyVocabulary {
	const tokens: string[] = ["<unk>", "<s>", "</s>"];
	const types: number[] = [TokenType.unknown, TokenType.control, TokenType.control];
	for (let byte = 0; byte < 256; byte++) {
		tokens.push(`<0x${byte.toString(16).toUpperCase().padStart(2, "0")}>`);
		types.push(TokenType.byte);
	}

	// Every prefix of every "▁word" is a piece: SentencePiece merges pairs of adjacent pieces whose
	// concatenation is in the vocabulary, so a word is reachable only through a chain of its prefixes.
	const pieces = new Set<string>([SPACE]);
	for (const c of "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") pieces.add(c);
	for (const p of PUNCTUATION) pieces.add(p);
	for (const word of WORDS) {
		const spaced = SPACE + word;
		for (let end = 2; end <= spaced.length; end++) pieces.add(spaced.slice(0, end));
	}
	for (const piece of pieces) {
		tokens.push(piece);
		types.push(TokenType.normal);
	}

	// Longer pieces score higher so whole words win over their fragments; ties broken by order.
	const scores = new Float32Array(tokens.length);
	tokens.forEach((token, id) => {
		scores[id] = types[id] === TokenType.normal ? [...token].length - id / 1e4 : 0;
	});
	return { tokens, scores, tokenTypes: Int32Array.from(types), unknownId: 0, bosId: 1, eosId: 2 };
}
