// The shape of a Suite 2 test: Playwright drives the workbench in the browser, outside the
// extension host. The runner (scripts/integration/ui-suite.mjs) passes everything in.
import type { Page } from "playwright-core";

export interface ContributedCommand {
	command: string;
	title: string;
	category?: string;
}

export interface ExtensionManifest {
	contributes?: { commands?: ContributedCommand[] };
}

export interface UiTestContext {
	/** A workbench page, already loaded, with the extension installed and the test workspace open. */
	page: Page;
	/** The folder the workbench has open (this machine's file system is the server's). */
	workspaceDir: string;
	/** The extension's package.json as read at run time. */
	manifest: ExtensionManifest;
	/** The workbench's user settings file (on this machine, since it is the server's). */
	userSettingsFile: string;
	/** Where a screenshot named `name` (without extension) belongs in the documentation. */
	documentationScreenshotPath(name: string): string;
}

export interface UiTest {
	title: string;
	run(context: UiTestContext): Promise<void>;
}
