import assert from "node:assert/strict";
import { rm } from "node:fs/promises";
import type { SteerApi } from "../../../src/vscode/extension";
import { steerFolder, steerWithModelOrSkip, writeVectorFile } from "./steerTestSupport";

const GOOD = "sb-push.gguf";
const WIDENED = "sb-rain-vs-sun.gguf";
/** The speed the status bar adds once something was generated. */
const SPEED = "( · \\d+ t/s)?";

async function writeVector(fileName: string, nEmbd: number): Promise<void> {
	await writeVectorFile(
		fileName,
		nEmbd,
		new Map([[1, Float32Array.from({ length: nEmbd }, (_, i) => Math.sin(i + 1))]])
	);
}

describe("Status bar: it says what the engine really applies", function () {
	this.timeout(60_000);
	let api: SteerApi;
	let nEmbd: number;
	let wasEnabled: boolean;

	before(async function () {
		api = await steerWithModelOrSkip(this);
		nEmbd = api.engine.requireModel().info.nEmbd;
		wasEnabled = api.steering.enabled;
		await api.steering.setEnabled(true);
		await writeVector(GOOD, nEmbd);
		await writeVector(WIDENED, nEmbd);
		await api.refreshVectors();
		for (const vector of api.library.list()) await api.steering.setActive(vector.fileName, false);
	});

	after(async () => {
		if (!api) return;
		await rm(steerFolder("vectors", GOOD), { force: true });
		await rm(steerFolder("vectors", WIDENED), { force: true });
		await api.refreshVectors();
		await api.steering.setEnabled(wasEnabled);
	});

	it('with vectors present but none active says how many there are, not "no vectors"', () => {
		const count = api.library.list().length;
		assert.ok(count >= 2);
		const bar = api.statusBar();
		assert.match(bar.text, new RegExp(` · ${count} vectors, none active${SPEED}$`));
		assert.doesNotMatch(bar.text, /no vectors/);
		assert.match(bar.tooltip, /No active vectors\./);
		assert.equal(bar.background, undefined);
	});

	it("shows an active vector made for a model of another width as not applied, with a warning", async () => {
		await api.steering.setActive(WIDENED, true);
		assert.match(api.statusBar().text, new RegExp(`^\\$\\(pulse\\) .* · sb-rain-vs-sun ×1\\.0${SPEED}$`));

		// The file is replaced by one made for a wider model while it is active: the choice stays, the engine gets nothing.
		await writeVector(WIDENED, nEmbd + 8);
		await api.refreshVectors();
		assert.equal(api.steering.choiceOf(WIDENED).active, true, "the vector should still be chosen as active");
		assert.deepEqual(
			api.steering.entries(),
			[],
			"the engine should get no steering from a vector of another width"
		);
		assert.ok(
			api.log
				.recentLines()
				.some((line) => line.startsWith(`warn: not steering with ${WIDENED}: `) && /another model/.test(line)),
			"the log should say the vector is not applied"
		);

		const bar = api.statusBar();
		assert.match(
			bar.text,
			new RegExp(
				`^\\$\\(debug-pause\\) .* · \\$\\(warning\\) sb-rain-vs-sun not applied \\(made for another model\\)${SPEED}$`
			)
		);
		assert.doesNotMatch(bar.text, /×/, "no strength may be shown for a vector the engine does not apply");
		assert.equal(bar.background, "statusBarItem.warningBackground");
		assert.match(
			bar.tooltip,
			new RegExp(
				`sb-rain-vs-sun: not applied — sb-rain-vs-sun\\.gguf has width ${nEmbd + 8} but .* has ${nEmbd}: it was made for another model`
			)
		);
	});

	it("next to an applied vector, shows both: the applied one with its strength, the other as not applied", async () => {
		await api.steering.setActive(GOOD, true);
		await api.steering.setStrength(GOOD, 2);
		assert.equal(api.steering.entries().length, 1);
		const bar = api.statusBar();
		assert.match(
			bar.text,
			new RegExp(
				`^\\$\\(pulse\\) .* · sb-push ×2\\.0 · \\$\\(warning\\) sb-rain-vs-sun not applied \\(made for another model\\)${SPEED}$`
			)
		);
		assert.match(bar.tooltip, /- sb-push: strength 2\.0/);
		assert.match(bar.tooltip, /sb-rain-vs-sun: not applied/);

		await api.steering.setEnabled(false);
		assert.match(api.statusBar().text, new RegExp(` · steering off${SPEED}$`));
		assert.equal(api.statusBar().background, undefined);
		await api.steering.setEnabled(true);
	});

	it("a vector placed on the generated tokens says so, and the engine gets that placement", async () => {
		await api.steering.setActive(WIDENED, false);
		await api.steering.setActive(GOOD, true);
		await api.steering.setPlacement(GOOD, "generated");
		assert.deepEqual(
			api.steering.entries().map((entry) => entry.placement),
			[{ kind: "generated" }]
		);
		assert.match(api.statusBar().text, new RegExp(` · sb-push ×2\\.0 \\(generated\\)${SPEED}$`));
		assert.match(
			api.statusBar().tooltip,
			/- sb-push: strength 2\.0, only the generated tokens; the prompt is read unsteered/
		);
		await api.steering.setPlacement(GOOD, "first:3");
		assert.deepEqual(api.steering.entries()[0]!.placement, { kind: "first", positions: 3 });
		await assert.rejects(api.steering.setPlacement(GOOD, "middle"), /unknown placement "middle"/);
		assert.deepEqual(
			api.steering.entries()[0]!.placement,
			{ kind: "first", positions: 3 },
			"a refused placement changed it"
		);
		// Back to the file's own placement: this file names none, so every position.
		await api.steering.setPlacement(GOOD, null);
		assert.equal(api.steering.entries()[0]!.placement, undefined);
		assert.match(api.statusBar().text, new RegExp(` · sb-push ×2\\.0${SPEED}$`));
	});
});
