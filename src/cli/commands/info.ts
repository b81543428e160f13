import { loadModelParams, modelOptions, parseCommandArgs } from "../args";
import { withEngine } from "../engineSession";

export const infoUsage = "steer info --model M [--gpu auto|cuda|vulkan|metal|false] [--threads N|auto] [--json]";

export async function runInfo(argv: string[]): Promise<void> {
	const values = parseCommandArgs(argv, modelOptions);
	await withEngine(loadModelParams(values), async (_engine, info) => {
		if (values.json) {
			const { architecture, nLayer, nEmbd, contextLength, vocabSize, backend, threads } = info;
			process.stdout.write(
				JSON.stringify({ architecture, nLayer, nEmbd, contextLength, vocabSize, backend, threads }) + "\n"
			);
			return;
		}
		const lines = [
			`model          ${info.modelPath}`,
			`architecture   ${info.architecture}${info.name ? ` (${info.name})` : ""}`,
			`layers         ${info.nLayer} (steerable: 1..${info.nLayer - 1})`,
			`width          ${info.nEmbd}`,
			`context        ${info.contextSize} of ${info.contextLength} trained`,
			`vocabulary     ${info.vocabSize}`,
			`chat template  ${info.hasChatTemplate ? "yes" : "no"}`,
			`backend        ${info.backend}${info.gpuLayers > 0 ? `, ${info.gpuLayers} layers offloaded` : ""}`,
			`threads        ${info.threads}`
		];
		process.stdout.write(lines.join("\n") + "\n");
	});
}
