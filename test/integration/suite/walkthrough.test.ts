// The getting-started walkthrough: contributed in the order of the workflow, every step's page on disk,
// and every command a step links to registered, so no button in it does nothing.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import * as vscode from "vscode";
import { steerApi } from "./steerTestSupport";

interface WalkthroughStep {
	readonly id: string;
	readonly title: string;
	readonly description: string;
	readonly media: { readonly markdown?: string };
	readonly completionEvents?: readonly string[];
}

interface Walkthrough {
	readonly id: string;
	readonly steps: readonly WalkthroughStep[];
}

/** The command ids of every `command:` link in markdown text. */
function commandLinks(markdown: string): string[] {
	return [...markdown.matchAll(/\]\(command:([\w.]+)/g)].map((match) => match[1]!);
}

describe("getting-started walkthrough", () => {
	let extension: vscode.Extension<unknown>;
	let walkthrough: Walkthrough;
	let registered: Set<string>;

	before(async () => {
		await steerApi();
		const found = vscode.extensions.getExtension("steer.steer");
		assert.ok(found, "the Steer extension is not installed");
		extension = found;
		const walkthroughs = (extension.packageJSON.contributes?.walkthroughs ?? []) as Walkthrough[];
		const gettingStarted = walkthroughs.find((candidate) => candidate.id === "gettingStarted");
		assert.ok(gettingStarted, "no gettingStarted walkthrough is contributed");
		walkthrough = gettingStarted;
		registered = new Set(await vscode.commands.getCommands(true));
	});

	it("walks through picking a model, making a dataset, training and steering, in that order", () => {
		assert.deepEqual(
			walkthrough.steps.map((step) => step.id),
			["pickModel", "makeDataset", "train", "steer"]
		);
	});

	it("gives every step a page on disk and a command link, and every linked command exists", () => {
		for (const step of walkthrough.steps) {
			assert.ok(step.media.markdown, `step ${step.id} has no markdown page`);
			const page = path.join(extension.extensionPath, step.media.markdown);
			assert.ok(existsSync(page), `step ${step.id}: ${step.media.markdown} is missing`);
			const links = [...commandLinks(step.description), ...commandLinks(readFileSync(page, "utf8"))];
			assert.ok(commandLinks(step.description).length > 0, `step ${step.id} has no command button`);
			for (const command of links)
				assert.ok(registered.has(command), `step ${step.id} links to ${command}, which is not registered`);
		}
	});

	it("completes each step on what the user did, from any surface (a context key Steer sets), or on its command", () => {
		// The context keys Steer's source sets; a step waiting on any other key would never tick.
		const source = readFileSync(path.join(extension.extensionPath, "dist", "extension.cjs"), "utf8");
		for (const step of walkthrough.steps) {
			const events = step.completionEvents ?? [];
			assert.ok(
				events.some((event) => event.startsWith("onContext:")),
				`step ${step.id} completes only when a command runs, not when the user does it in the panel`
			);
			for (const event of events) {
				const command = /^onCommand:(.+)$/.exec(event)?.[1];
				if (command)
					assert.ok(
						registered.has(command),
						`step ${step.id} completes on ${command}, which is not registered`
					);
				const key = /^onContext:(.+)$/.exec(event)?.[1];
				if (key)
					assert.ok(
						source.includes(`"setContext", "${key}"`),
						`step ${step.id} completes on context ${key}, which Steer never sets`
					);
			}
		}
	});

	it("opens in the editor", async () => {
		await vscode.commands.executeCommand(
			"workbench.action.openWalkthrough",
			`${extension.id}#${walkthrough.id}`,
			false
		);
		const labels = () => vscode.window.tabGroups.all.flatMap((group) => group.tabs.map((tab) => tab.label));
		const deadline = Date.now() + 10_000;
		while (!labels().some((label) => /welcome|walkthrough|get started/i.test(label))) {
			if (Date.now() > deadline)
				assert.fail(`no walkthrough tab opened (tabs: ${labels().join(", ") || "none"})`);
			await new Promise((resolve) => setTimeout(resolve, 100));
		}
		await vscode.commands.executeCommand("workbench.action.closeActiveEditor");
	});
});
