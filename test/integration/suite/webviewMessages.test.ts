import assert from "node:assert/strict";
import type { SteerApi } from "../../../src/vscode/extension";
import type { HostToWebview } from "../../../src/shared/webviewProtocol/messages";
import { openPanel, steerApi, waitFor } from "./steerTestSupport";

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
		"a generation of a billion tokens",
		{ type: "generate", prompt: "Once", maxTokens: 1e9, seed: 0 },
		/maxTokens must be between/
	],
	["a field the message does not have", { type: "ready", extra: 1 }, /unexpected field "extra"/],
	[
		"an own __proto__ field",
		JSON.parse('{"type":"cancelGeneration","__proto__":{"polluted":true}}'),
		/unexpected field "__proto__"/
	],
	[
		"a 10 MB payload",
		{ type: "generate", prompt: "x".repeat(10 * 1024 * 1024), maxTokens: 1, seed: 0 },
		/larger than/
	],
	["nesting 20 levels deep", nested(20), /nested deeper than/],
	[
		"a ../ vector to activate",
		{ type: "setVectorActive", fileName: "../../secrets.gguf", active: true },
		/character not allowed|must not start with a dot or contain/
	],
	[
		"a vector name that is only dots",
		{ type: "setVectorStrength", fileName: "...gguf", strength: 1 },
		/must not start with a dot or contain/
	],
	[
		"an absolute vector path",
		{ type: "setVectorActive", fileName: "/etc/passwd.gguf", active: true },
		/character not allowed/
	],
	[
		"a vector with the wrong extension",
		{ type: "setVectorActive", fileName: "notes.txt", active: true },
		/must end in/
	],
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

	it("still handles well-formed messages afterwards", async () => {
		const sent: HostToWebview[] = [];
		const subscription = api.panel.onDidPost(({ message, delivered }) => {
			void delivered.then((taken) => {
				if (taken) sent.push(message);
			});
		});
		try {
			assert.equal(await api.panel.receive({ type: "setSteeringEnabled", enabled: api.steering.enabled }), true);
			assert.equal(await api.panel.receive({ type: "checkRule", source: "if C1 then B1" }), true);
			const checked = await waitFor("a ruleChecked reply", () =>
				sent.find((message) => message.type === "ruleChecked")
			);
			assert.deepEqual(checked, { type: "ruleChecked", source: "if C1 then B1", ok: true });
			assert.equal(await api.panel.receive({ type: "ready" }), true);
			const state = await waitFor("a state reply", () => sent.find((message) => message.type === "state"));
			assert.ok(state.type === "state" && state.state.trusted);
		} finally {
			subscription.dispose();
		}
	});
});
