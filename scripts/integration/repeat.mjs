// Runs the integration suites several times in a row and prints how many runs were green: a suite that
// passes only most of the time blocks good work from landing, and one run proves nothing about that.
//   node scripts/integration/repeat.mjs [RUNS] [--shuffle]
// --shuffle gives every run its own STEER_TEST_ORDER_SEED (printed), so that order dependencies show up
// and each failure can be replayed with its seed. Needs what run.mjs needs (a build, the tools).
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const args = process.argv.slice(2);
const shuffle = args.includes("--shuffle");
const runs = Number(args.find((arg) => !arg.startsWith("--")) ?? 5);
if (!Number.isInteger(runs) || runs < 1) {
	console.error(`usage: repeat.mjs [RUNS] [--shuffle]  (RUNS must be a whole number ≥ 1, got "${args[0]}")`);
	process.exit(2);
}
const here = path.dirname(fileURLToPath(import.meta.url));
const runner = path.join(here, "run.mjs");
// A red run's whole output is kept, so that a failure seen once can be read rather than guessed at.
const logsDir = path.resolve(here, "..", "..", "test-results", "repeat");

function runOnce(seed) {
	return new Promise((resolve) => {
		const env = { ...process.env, ...(seed === undefined ? {} : { STEER_TEST_ORDER_SEED: String(seed) }) };
		const child = spawn(process.execPath, [runner], { env, stdio: ["ignore", "pipe", "pipe"] });
		let output = "";
		child.stdout.on("data", (chunk) => {
			output += chunk;
		});
		child.stderr.on("data", (chunk) => {
			output += chunk;
		});
		child.once("exit", (code) => resolve({ code, output }));
	});
}

const results = [];
for (let run = 1; run <= runs; run++) {
	const seed = shuffle ? Math.floor(Math.random() * 2 ** 31) : undefined;
	const started = performance.now();
	const { code, output } = await runOnce(seed);
	const totals = [...output.matchAll(/^(\d+) passed, (\d+) failed$/gm)].at(-1);
	const failures = [...output.matchAll(/^\s*(?:✘|\d+\)) (.+)$/gm)].map((match) => match[1].trim());
	const seconds = ((performance.now() - started) / 1000).toFixed(0);
	results.push(code === 0);
	console.log(
		`run ${run}/${runs}${seed === undefined ? "" : ` (seed ${seed})`}: ${code === 0 ? "green" : "RED"}, ${totals ? `${totals[1]} passed, ${totals[2]} failed` : "no totals"} in ${seconds} s`
	);
	for (const failure of [...new Set(failures)]) console.log(`    ✘ ${failure}`);
	if (code !== 0) {
		mkdirSync(logsDir, { recursive: true });
		const logFile = path.join(logsDir, `run-${run}${seed === undefined ? "" : `-seed-${seed}`}.log`);
		writeFileSync(logFile, output);
		console.log(`    log: ${path.relative(process.cwd(), logFile)}`);
	}
}
const green = results.filter(Boolean).length;
console.log(`\n${green} of ${runs} runs green${shuffle ? " (shuffled orders)" : ""}`);
process.exit(green === runs ? 0 : 1);
