import { parsePositionSpec } from "../../steering/positions";
import { parseLayerSpec } from "../../steering/layerSpec";
import { loadModelParams, modelOptions, parseCommandArgs, requireString, UsageError } from "../args";
import { withEngine } from "../engineSession";
import { loadVectorOptions } from "../vectorOption";

export const captureUsage =
	"steer capture --model M --prompt TEXT [--layers all|A-B|i,j] [--positions all|mean|last|last:K|last:K-mean] [--vector FILE.gguf[:S]]... --json";

export async function runCapture(argv: string[]): Promise<void> {
	const values = parseCommandArgs(argv, {
		...modelOptions,
		prompt: { type: "string", short: "p" },
		layers: { type: "string" },
		positions: { type: "string" },
		vector: { type: "string", multiple: true }
	});
	const prompt = requireString(values.prompt, "prompt");
	if (!values.json) throw new UsageError("capture prints hidden states as JSON only; add --json");
	let positions;
	try {
		positions = parsePositionSpec(values.positions ?? "all");
	} catch (error) {
		throw new UsageError((error as Error).message);
	}
	if (positions.select === "suffix")
		throw new UsageError("suffix positions need a prompt/completion pair; the CLI captures one text");
	const { entries } = await loadVectorOptions(values.vector ?? []);
	await withEngine(loadModelParams(values), async (engine, info) => {
		const layers = parseLayerSpec(values.layers ?? "all", info.nLayer);
		const [item] = await engine.capture({ items: [{ text: prompt }], layers, positions, steering: entries });
		const rowsOf = (hidden: Float32Array) =>
			Array.from({ length: item!.rows }, (_, row) =>
				Array.from(hidden.subarray(row * info.nEmbd, (row + 1) * info.nEmbd))
			);
		process.stdout.write(
			JSON.stringify({
				tokens: item!.tokens,
				pieces: item!.pieces,
				layers: item!.layers.map(({ layer, hidden }) => ({ layer, hidden: rowsOf(hidden) }))
			}) + "\n"
		);
	});
}
