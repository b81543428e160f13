import type { GenerateStopReason } from "../../engine/protocol";
import { loadModelParams, MAX_SEED, modelOptions, parseCommandArgs, parseNumber, requireString } from "../args";
import { withEngine } from "../engineSession";
import { loadVectorOptions, parsePlacementOption } from "../vectorOption";

export const generateUsage =
	"steer generate --model M --prompt TEXT [--vector FILE.gguf[:S]]... [--placement all|generated|prompt|first:K] [--max-tokens N] [--temperature T] [--top-p P] [--seed S] [--stop TEXT]... [--json]";

const stopReasonText: Record<GenerateStopReason, string> = {
	eogToken: "the model ended the text",
	stopSequence: "stopped at a --stop text",
	maxTokens: "stopped at --max-tokens"
};

export async function runGenerate(argv: string[]): Promise<void> {
	const values = parseCommandArgs(argv, {
		...modelOptions,
		prompt: { type: "string", short: "p" },
		vector: { type: "string", multiple: true },
		placement: { type: "string" },
		"max-tokens": { type: "string" },
		temperature: { type: "string" },
		"top-p": { type: "string" },
		seed: { type: "string" },
		stop: { type: "string", multiple: true }
	});
	const prompt = requireString(values.prompt, "prompt");
	const maxTokens = parseNumber(values["max-tokens"], "max-tokens", { integer: true, min: 1 }) ?? 128;
	const temperature = parseNumber(values.temperature, "temperature", { min: 0 }) ?? 0;
	const topP = parseNumber(values["top-p"], "top-p", { min: 0, max: 1 });
	const seed = parseNumber(values.seed, "seed", { integer: true, min: 0, max: MAX_SEED });
	const { entries, modelHints } = await loadVectorOptions(
		values.vector ?? [],
		parsePlacementOption(values.placement)
	);
	await withEngine(loadModelParams(values), async (engine, info) => {
		modelHints.forEach((hint, index) => {
			if (hint && hint !== info.architecture)
				process.stderr.write(
					`steer: warn: ${values.vector![index]} was made for a ${hint} model; this model is ${info.architecture}\n`
				);
		});
		const streaming = !values.json && process.stdout.isTTY;
		const result = await engine.generate(
			{ prompt, maxTokens, temperature, topP, seed, stop: values.stop, steering: entries },
			{ onProgress: streaming ? ({ text }) => process.stdout.write(text) : undefined }
		);
		if (values.json) {
			process.stdout.write(
				JSON.stringify({
					text: result.text,
					tokens: result.tokens,
					tokensPerSecond: result.tokensPerSecond,
					stopReason: result.stopReason
				}) + "\n"
			);
		} else {
			if (!streaming) process.stdout.write(result.text);
			process.stdout.write("\n");
			process.stderr.write(
				`steer: ${result.tokens.length} tokens at ${result.tokensPerSecond.toFixed(1)} tokens/s; ${stopReasonText[result.stopReason]}\n`
			);
		}
	});
}
