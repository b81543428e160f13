/** The crash-loop policy: crash times in, "may the engine restart?" out, on an injected clock. */
import assert from "node:assert/strict";
import {
	CRASH_LOOP_LIMIT,
	CRASH_LOOP_WINDOW_MS,
	CrashLoopGuard,
	isCrashLoop,
	recentCrashes
} from "../../src/engine/crashLoopGuard";

function guardWithClock(start = 1_000_000): { guard: CrashLoopGuard; advance(ms: number): void } {
	let now = start;
	return { guard: new CrashLoopGuard({ now: () => now }), advance: (ms) => (now += ms) };
}

describe("crash-loop policy", () => {
	it("is three crashes within sixty seconds", () => {
		assert.equal(CRASH_LOOP_LIMIT, 3);
		assert.equal(CRASH_LOOP_WINDOW_MS, 60_000);
	});

	it("counts only the crashes within the window before now", () => {
		const now = 100_000;
		assert.deepEqual(recentCrashes([now - 60_000, now - 59_999, now - 1, now, now + 5], now), [
			now - 59_999,
			now - 1,
			now
		]);
		assert.equal(isCrashLoop([now - 59_999, now - 1, now], now), true);
		assert.equal(isCrashLoop([now - 60_000, now - 1, now], now), false);
		assert.equal(isCrashLoop([now - 1, now], now), false);
		assert.equal(isCrashLoop([], now), false);
		assert.equal(isCrashLoop([1, 2], 3, { limit: 2, windowMs: 10 }), true);
	});

	it("lets the engine restart after one and two crashes, and stops at the third within the window", () => {
		const { guard, advance } = guardWithClock();
		assert.equal(guard.shouldRestart(), true);
		assert.equal(guard.recordCrash("first"), undefined);
		assert.equal(guard.shouldRestart(), true);
		advance(20_000);
		assert.equal(guard.recordCrash("second"), undefined);
		assert.equal(guard.shouldRestart(), true);
		advance(20_000);
		const tripped = guard.recordCrash("killed by SIGSEGV");
		assert.ok(tripped, "the third crash within 60 s should trip the guard");
		assert.equal(guard.shouldRestart(), false);
		assert.equal(tripped.crashes, 3);
		assert.equal(tripped.windowSeconds, 60);
		assert.equal(tripped.lastCause, "killed by SIGSEGV");
		assert.equal(
			tripped.message,
			'the engine crashed 3 times in 60 s; Steer stopped restarting it — see the log, then run "Steer: Restart Engine"'
		);
		assert.deepEqual(guard.tripped, tripped);
	});

	it("forgets crashes older than the window, so slow recurring crashes never trip it", () => {
		const { guard, advance } = guardWithClock();
		for (let crash = 0; crash < 10; crash++) {
			assert.equal(guard.recordCrash(`crash ${crash}`), undefined, `crash ${crash} tripped the guard`);
			assert.equal(guard.shouldRestart(), true);
			advance(30_001);
		}
	});

	it("stays tripped as time passes, until reset, and reports the trip only once", () => {
		const { guard, advance } = guardWithClock();
		guard.recordCrash("a");
		guard.recordCrash("b");
		assert.ok(guard.recordCrash("c"));
		advance(10 * CRASH_LOOP_WINDOW_MS);
		assert.equal(guard.shouldRestart(), false, "the guard must wait for the user, not for the clock");
		assert.equal(guard.recordCrash("d"), undefined, "a further crash must not report the trip again");
		assert.equal(guard.tripped?.lastCause, "d", "the last cause stays current");

		guard.reset();
		assert.equal(guard.shouldRestart(), true);
		assert.equal(guard.tripped, undefined);
		assert.equal(guard.recordCrash("e"), undefined, "reset forgets every earlier crash");
		assert.equal(guard.recordCrash("f"), undefined);
		assert.ok(guard.recordCrash("g"), "three new crashes trip it again");
	});

	it("follows the policy it is given", () => {
		let now = 0;
		const guard = new CrashLoopGuard({ policy: { limit: 2, windowMs: 1000 }, now: () => now });
		guard.recordCrash("a");
		now = 999;
		assert.equal(
			guard.recordCrash("b")?.message,
			'the engine crashed 2 times in 1 s; Steer stopped restarting it — see the log, then run "Steer: Restart Engine"'
		);
	});
});
