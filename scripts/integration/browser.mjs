// Headless Debian chromium driven by playwright-core (its own browser downloads are not
// reachable here, so the system browser is used).
import { chromium } from "playwright-core";
import path from "node:path";
import { CHROMIUM_PATH } from "./tool-paths.mjs";

const CHROMIUM_ARGS = [
	"--headless=new",
	"--no-sandbox",
	"--disable-gpu",
	"--disable-quic",
	"--no-first-run",
	"--disable-background-networking",
	"--disable-component-update",
	"--disable-sync",
	"--disable-breakpad",
	"--disable-crash-reporter"
];

/** A fresh persistent profile in `scratchDir/<name>` so no state leaks between runs. */
export async function launchBrowser(scratchDir, name) {
	const context = await chromium.launchPersistentContext(path.join(scratchDir, name), {
		executablePath: CHROMIUM_PATH,
		headless: true,
		args: CHROMIUM_ARGS,
		viewport: { width: 1400, height: 900 },
		// The runner installs its own signal handling and stops the browser itself.
		handleSIGINT: false,
		handleSIGTERM: false,
		handleSIGHUP: false,
		timeout: 60_000
	});
	const page = context.pages()[0] ?? (await context.newPage());
	return { context, page };
}
