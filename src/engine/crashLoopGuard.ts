/**
 * When to stop restarting a crashing engine. One crash costs one request: the next request starts a
 * new process and reloads the model. A crash that always recurs (a native library that no longer
 * matches after an upgrade, a model that aborts on load) would then fork a process and reload the
 * model on every request — with inline completions on, after every pause in typing. So after
 * CRASH_LOOP_LIMIT crashes within CRASH_LOOP_WINDOW_MS the guard trips and stays tripped, whatever
 * time passes, until the user asks for a restart (`reset`).
 *
 * Pure: no process, no timer, no editor; the clock is injected so tests can move time.
 */

/** Crashes within the window that make a crash loop. Two crashes can be bad luck; three are a pattern. */
export const CRASH_LOOP_LIMIT = 3;
/** The window those crashes must fall in. A crash a few minutes after the last one starts a new count. */
export const CRASH_LOOP_WINDOW_MS = 60_000;

export interface CrashLoopPolicy {
	readonly limit: number;
	readonly windowMs: number;
}

export const DEFAULT_CRASH_LOOP_POLICY: CrashLoopPolicy = { limit: CRASH_LOOP_LIMIT, windowMs: CRASH_LOOP_WINDOW_MS };

/** The crash times (ms, any order) that still count at `now`: those within the window before it. */
export function recentCrashes(
	crashTimes: readonly number[],
	now: number,
	policy: CrashLoopPolicy = DEFAULT_CRASH_LOOP_POLICY
): number[] {
	return crashTimes.filter((time) => time <= now && now - time < policy.windowMs).sort((a, b) => a - b);
}

/** True when the crashes at `crashTimes` make a crash loop at `now`: no more restarts. */
export function isCrashLoop(
	crashTimes: readonly number[],
	now: number,
	policy: CrashLoopPolicy = DEFAULT_CRASH_LOOP_POLICY
): boolean {
	return recentCrashes(crashTimes, now, policy).length >= policy.limit;
}

export interface CrashLoopState {
	/** How many crashes tripped the guard, and within how many seconds. */
	readonly crashes: number;
	readonly windowSeconds: number;
	/** Why the engine died the last time (the client's exit reason). */
	readonly lastCause: string;
	/** For the user: what happened and what to do. */
	readonly message: string;
}

export interface CrashLoopGuardOptions {
	readonly policy?: CrashLoopPolicy;
	/** Milliseconds since any fixed origin; `Date.now` when omitted. */
	readonly now?: () => number;
}

/** Counts crashes and says whether the engine may be restarted. */
export class CrashLoopGuard {
	private crashTimes: number[] = [];
	private trippedState: CrashLoopState | undefined;
	private readonly policy: CrashLoopPolicy;
	private readonly now: () => number;

	constructor(options: CrashLoopGuardOptions = {}) {
		this.policy = options.policy ?? DEFAULT_CRASH_LOOP_POLICY;
		this.now = options.now ?? Date.now;
	}

	/**
	 * Records a crash whose cause is `cause`; returns the crash-loop state when this crash tripped
	 * the guard (once per trip), undefined otherwise.
	 */
	recordCrash(cause: string): CrashLoopState | undefined {
		const now = this.now();
		this.crashTimes = [...recentCrashes(this.crashTimes, now, this.policy), now];
		if (this.trippedState) {
			this.trippedState = { ...this.trippedState, lastCause: cause };
			return undefined;
		}
		if (!isCrashLoop(this.crashTimes, now, this.policy)) return undefined;
		const crashes = this.crashTimes.length;
		const windowSeconds = Math.round(this.policy.windowMs / 1000);
		this.trippedState = {
			crashes,
			windowSeconds,
			lastCause: cause,
			message: `the engine crashed ${crashes} times in ${windowSeconds} s; Steer stopped restarting it — see the log, then run "Steer: Restart Engine"`
		};
		return this.trippedState;
	}

	/** Whether a new engine process may be started now. */
	shouldRestart(): boolean {
		return this.trippedState === undefined;
	}

	/** Set from the crash that tripped the guard until `reset`. */
	get tripped(): CrashLoopState | undefined {
		return this.trippedState;
	}

	/** The user acted: forget every crash and allow restarts again. */
	reset(): void {
		this.crashTimes = [];
		this.trippedState = undefined;
	}
}
