import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import path from "node:path";
import type { SteerApi } from "../../../src/vscode/extension";
import type { HostToWebview } from "../../../src/shared/webviewProtocol/messages";
import { openPanel, steerApi, steerFolder, waitFor, workspaceDir } from "./steerTestSupport";

function nested(depth: number): unknown {
	let value: unknown = "bottom";
	for (let i = 0; i < depth; i++) value = { inner: value };
	return { type: "ready", extra: value };
}

/** Messages a compromised or buggy webview could send, each with the reason it must be refused for. */
const HOSTILE: [what: string, message: unknown, reason: RegExp][] = [
	["a bare string", "train", /message must be an object/],
	["null", null, /message must be an object/],
	["an array", [{ type: "ready" }], /message must be an object/],
	["an unknown message type", { type: "eval", code: "process.exit(1)" }, /unknown message type/],
	[
		"a command outside the panel's list",
		{ type: "runCommand", command: "workbench.action.closeWindow" },
		/command must be one of/
	],
	[
		"a strength sent as a string",
		{ type: "setVectorStrength", fileName: "push.gguf", strength: "9999" },
		/strength must be a finite number/
	],
	[
		"a strength far out of range",
		{ type: "setVectorStrength", fileName: "push.gguf", strength: 1e12 },
		/strength must be between/
	],
	["a flag that is not a boolean", { type: "setSteeringEnabled", enabled: "yes" }, /enabled must be true or false/],
	[
		"a training method that does not exist",
		{ type: "train", fileName: "moods.jsonl", method: "rm -rf", positions: "last", layers: "all" },
		/method must be one of/
	],
	[
		"a generation of a billion tokens",
		{ type: "generate", prompt: "Once", maxTokens: 1e9, seed: 0 },
		/maxTokens must be between/
	],
	["a field the message does not have", { type: "ready", extra: 1 }, /unexpected field "extra"/],
	[
		"an own __proto__ field",
		JSON.parse('{"type":"cancelTraining","__proto__":{"polluted":true}}'),
		/unexpected field "__proto__"/
	],
	[
		"a 10 MB payload",
		{
			type: "saveDataset",
			fileName: "huge.jsonl",
			pairs: [{ positive: "x".repeat(10 * 1024 * 1024), negative: "y" }]
		},
		/larger than/
	],
	["nesting 20 levels deep", nested(20), /nested deeper than/],
	[
		"a ../ dataset to open",
		{ type: "openDataset", fileName: "../../secrets.jsonl" },
		/character not allowed|must not start with a dot or contain/
	],
	[
		"a ../ dataset to save",
		{ type: "saveDataset", fileName: "..\\escaped.jsonl", pairs: [{ positive: "a", negative: "b" }] },
		/character not allowed/
	],
	[
		"a dataset name that is only dots",
		{ type: "deleteDataset", fileName: "...jsonl" },
		/must not start with a dot or contain/
	],
	[
		"an absolute vector path",
		{ type: "setVectorActive", fileName: "/etc/passwd.gguf", active: true },
		/character not allowed/
	],
	["a dataset with the wrong extension", { type: "openDataset", fileName: "notes.txt" }, /must end in/],
	[
		"an object whose keys cannot be read",
		new Proxy(
			{},
			{
				ownKeys: () => {
					throw new Error("trap");
				}
			}
		),
		/could not be read/
	]
];

describe("Steering panel: hostile webview messages", function () {
	this.timeout(60_000);
	let api: SteerApi;

	before(async () => {
		api = await steerApi();
		await openPanel(api);
	});

	for (const [what, message, reason] of HOSTILE) {
		it(`rejects and logs ${what}`, async () => {
			const before = api.panel.rejectedMessages;
			assert.equal(await api.panel.receive(message), false, "the message was accepted");
			assert.equal(api.panel.rejectedMessages, before + 1);
			const logged = api.log.recentLines().at(-1) ?? "";
			assert.match(logged, /^warn: steering panel: rejected a message: /);
			assert.match(logged, reason);
		});
	}

	it("wrote nothing outside its folders and nothing from the refused messages", () => {
		for (const file of [
			path.join(workspaceDir(), "escaped.jsonl"),
			path.join(workspaceDir(), ".steer", "escaped.jsonl"),
			steerFolder("datasets", "huge.jsonl"),
			steerFolder("datasets", "..\\escaped.jsonl")
		]) {
			assert.equal(existsSync(file), false, `${file} was written`);
		}
	});

	it("still handles well-formed messages afterwards", async () => {
		const sent: HostToWebview[] = [];
		const subscription = api.panel.onDidPost(({ message, delivered }) => {
			void delivered.then((taken) => {
				if (taken) sent.push(message);
			});
		});
		try {
			assert.equal(
				await api.panel.receive({
					type: "saveDataset",
					fileName: "after-hostile.jsonl",
					pairs: [{ positive: "A happy day.", negative: "A sad day." }]
				}),
				true
			);
			const saved = await waitFor("a datasetSaved reply", () =>
				sent.find((message) => message.type === "datasetSaved")
			);
			assert.ok(saved.type === "datasetSaved" && saved.saved && saved.issues.length === 0, JSON.stringify(saved));
			assert.equal(await api.panel.receive({ type: "openDataset", fileName: "after-hostile.jsonl" }), true);
			const opened = await waitFor("a dataset reply", () => sent.find((message) => message.type === "dataset"));
			assert.ok(opened.type === "dataset");
			assert.deepEqual(opened, {
				type: "dataset",
				fileName: "after-hostile.jsonl",
				pairs: [{ positive: "A happy day.", negative: "A sad day." }],
				issues: [],
				problems: [],
				revision: opened.revision
			});
			assert.equal(await api.panel.receive({ type: "ready" }), true);
			// The folder watcher reports the new file on its own schedule: wait for the state that names it.
			await waitFor("a state reply that lists after-hostile.jsonl", () =>
				sent.find(
					(message) =>
						message.type === "state" &&
						message.state.datasets.some((dataset) => dataset.fileName === "after-hostile.jsonl")
				)
			);
		} finally {
			subscription.dispose();
		}
	});
});
