/**
 * The headless `steer` command: the same engine as the extension, without VS Code.
 * Errors are one line on stderr with a non-zero exit code (2 for usage mistakes, 1 otherwise).
 */
import { captureUsage, runCapture } from "./commands/capture";
import { conditionUsage, runCondition } from "./commands/condition";
import { evalUsage, runEval } from "./commands/eval";
import { generateUsage, runGenerate } from "./commands/generate";
import { infoUsage, runInfo } from "./commands/info";
import { rateUsage, runRate } from "./commands/rate";
import { runSelfLabel, selfLabelUsage } from "./commands/selflabel";
import { runSweep, sweepUsage } from "./commands/sweep";
import { runTrain, trainUsage } from "./commands/train";
import { runTraitPairs, traitPairsUsage } from "./commands/traitpairs";
import { UsageError } from "./args";

const commands: Readonly<Record<string, { usage: string; run: (argv: string[]) => Promise<void> }>> = {
	info: { usage: infoUsage, run: runInfo },
	capture: { usage: captureUsage, run: runCapture },
	generate: { usage: generateUsage, run: runGenerate },
	train: { usage: trainUsage, run: runTrain },
	sweep: { usage: sweepUsage, run: runSweep },
	eval: { usage: evalUsage, run: runEval },
	rate: { usage: rateUsage, run: runRate },
	condition: { usage: conditionUsage, run: runCondition },
	selflabel: { usage: selfLabelUsage, run: runSelfLabel },
	traitpairs: { usage: traitPairsUsage, run: runTraitPairs }
};

function usage(): string {
	return ["Usage:", ...Object.values(commands).map((command) => `  ${command.usage}`)].join("\n");
}

async function main(argv: string[]): Promise<number> {
	const [name, ...rest] = argv;
	if (name === undefined || name === "help" || name === "--help" || name === "-h") {
		process.stdout.write(usage() + "\n");
		return name === undefined ? 2 : 0;
	}
	const command = commands[name];
	if (!command) {
		process.stderr.write(`steer: error: unknown command "${name}"\n${usage()}\n`);
		return 2;
	}
	try {
		await command.run(rest);
		return 0;
	} catch (error) {
		const message = (error instanceof Error ? error.message : String(error)).split("\n")[0];
		process.stderr.write(`steer: error: ${message}\n`);
		if (error instanceof UsageError) process.stderr.write(`usage: ${command.usage}\n`);
		return error instanceof UsageError ? 2 : 1;
	}
}

main(process.argv.slice(2)).then((code) => {
	process.exitCode = code;
});
