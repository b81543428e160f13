/** What the steering panel's pages may ask of the host, and how much one message may carry. */

/** The strengths the panel's slider offers; beyond them a vector never swept has not been looked at. */
export const STRENGTH_SLIDER_LIMIT = 4;

/** Host commands the panel's buttons may run; nothing else is reachable from the webview. */
export const PANEL_COMMANDS = [
	"loadModel",
	"downloadModel",
	"unloadModel",
	"importVector",
	"newDataset",
	"showLog",
	"exportVector",
	"openPlayground"
] as const;
export type PanelCommand = (typeof PANEL_COMMANDS)[number];

/** Limits on what one message from the webview may carry. */
export const MESSAGE_LIMITS = {
	/** Total characters of all strings plus a little per value: a cheap bound on the message's size. */
	maxMessageSize: 8 * 1024 * 1024,
	maxDepth: 8,
	maxPairs: 5000,
	maxFieldLength: 20_000,
	maxPromptLength: 20_000,
	maxLayerSpecLength: 200,
	maxPlacementLength: 40,
	maxTokens: 4096,
	maxStrength: 1000,
	/** Each strength costs a generation and a perplexity pass per seed. */
	maxSweepStrengths: 16,
	maxSweepTokens: 256,
	maxKeywords: 50,
	maxKeywordLength: 100,
	/** Each condition prompt costs a capture; a handful per side is what the search needs. */
	maxConditionPrompts: 64,
	maxConditionPromptLength: 2000,
	/** Similarities are |cos|, so thresholds outside [0, 1] mean nothing. */
	minConditionStep: 0.001,
	maxRuleLength: 500,
	/** Persona words per side; each is crossed with every suffix. */
	maxPersonas: 100,
	maxPersonaLength: 200,
	maxSuffixes: 1000,
	maxSuffixLength: 2000,
	maxTemplateLength: 2000,
	/** Each request is answered and rated (nine judge reads) per condition and seed. */
	maxRatingRequests: 8,
	maxRatingRequestLength: 2000,
	maxConceptLength: 200
} as const;
