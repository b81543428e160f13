/** Ordered disposal of the engine's native resources, with fakes that record what happens when. */
import assert from "node:assert/strict";
import { createDisposing, DisposalStack } from "../../src/engine/process/disposalStack";

/** Fakes shaped like the engine's resources: async like a model or context, sync like the capture context. */
function recorder() {
	const events: string[] = [];
	const tick = () => new Promise((resolve) => setTimeout(resolve, 1));
	return {
		events,
		asyncResource: (name: string, fail = false) => ({
			async dispose() {
				events.push(`${name} start`);
				await tick();
				events.push(`${name} end`);
				if (fail) throw new Error(`${name} failed`);
			}
		}),
		syncResource: (name: string, fail = false) => ({
			dispose() {
				events.push(name);
				if (fail) throw new Error(`${name} failed`);
			}
		}),
		step: (name: string) => () => {
			events.push(name);
		}
	};
}

describe("engine disposal stack", () => {
	it("disposes newest first, each after the previous one has finished", async () => {
		const { events, asyncResource, syncResource, step } = recorder();
		const stack = new DisposalStack();
		const model = stack.use(asyncResource("model"));
		stack.use(asyncResource("context"));
		stack.use(syncResource("capture context"));
		stack.use(step("last step"));
		assert.equal(typeof model.dispose, "function", "use returns the resource");
		await stack.dispose();
		assert.deepEqual(events, [
			"last step",
			"capture context",
			"context start",
			"context end",
			"model start",
			"model end"
		]);
	});

	it("keeps disposing after a failure and throws the first failure at the end", async () => {
		const { events, asyncResource, syncResource } = recorder();
		const stack = new DisposalStack();
		stack.use(asyncResource("model"));
		stack.use(asyncResource("context", true));
		stack.use(syncResource("capture context", true));
		await assert.rejects(stack.dispose(), /capture context failed/);
		assert.deepEqual(events, ["capture context", "context start", "context end", "model start", "model end"]);
	});

	it("disposes once however often it is asked, and refuses new resources afterwards", async () => {
		const { events, asyncResource } = recorder();
		const stack = new DisposalStack();
		stack.use(asyncResource("model"));
		await Promise.all([stack.dispose(), stack.dispose()]);
		await stack.dispose();
		assert.deepEqual(events, ["model start", "model end"]);
		assert.throws(() => stack.use(asyncResource("late")), /disposed stack/);
	});

	it("frees what a creation registered, newest first, when it fails half-way, and reports the creation's error", async () => {
		const { events, asyncResource, syncResource } = recorder();
		const created: string[] = [];
		await assert.rejects(
			createDisposing(async (resources) => {
				resources.use(asyncResource("model"));
				created.push("model");
				resources.use(asyncResource("context", true));
				created.push("context");
				resources.use(syncResource("capture context"));
				created.push("capture context");
				throw new Error("the load failed after the capture context");
			}),
			/the load failed after the capture context/
		);
		assert.deepEqual(created, ["model", "context", "capture context"]);
		assert.deepEqual(events, ["capture context", "context start", "context end", "model start", "model end"]);
	});

	it("leaves what a successful creation registered alive until the caller disposes it", async () => {
		const { events, asyncResource } = recorder();
		let kept: DisposalStack | undefined;
		const value = await createDisposing(async (resources) => {
			resources.use(asyncResource("model"));
			resources.use(asyncResource("context"));
			kept = resources;
			return "loaded";
		});
		assert.equal(value, "loaded");
		assert.deepEqual(events, []);
		await kept!.dispose();
		assert.deepEqual(events, ["context start", "context end", "model start", "model end"]);
	});
});
