/**
 * Streams generated text while watching for stop sequences. Text that could still turn into a stop
 * sequence (a tail of the text that begins one of them) is held back, so a caller never sees a partial
 * stop string; once one appears, everything from it on is dropped.
 */
export class StopSequenceStream {
	private text = "";
	private emitted = 0;
	/** Where the next search for a stop sequence starts: earlier text was searched already. */
	private searchFrom = 0;
	stopped = false;
	/** The stop sequence that ended the stream, once `stopped`. */
	stoppedBy: string | undefined;
	private readonly stops: readonly string[];
	private readonly longest: number;
	/** Every proper prefix of every stop sequence, to find the tail that must be held back. */
	private readonly prefixes = new Set<string>();

	constructor(
		stops: readonly string[],
		private readonly emit: (text: string) => void
	) {
		this.stops = [...new Set(stops.filter((stop) => stop.length > 0))];
		this.longest = Math.max(0, ...this.stops.map((stop) => stop.length));
		for (const stop of this.stops)
			for (let length = 1; length < stop.length; length++) this.prefixes.add(stop.slice(0, length));
	}

	/** Adds generated text; returns true once a stop sequence has appeared. */
	push(chunk: string): boolean {
		if (this.stopped) return true;
		this.text += chunk;
		const found = this.firstStop();
		if (found) {
			this.stopped = true;
			this.stoppedBy = found.stop;
			this.flushTo(found.at);
			return true;
		}
		this.searchFrom = Math.max(0, this.text.length - this.longest + 1);
		this.flushTo(this.text.length - this.heldBack());
		return false;
	}

	/** Ends the stream (`rest`: text not pushed yet) and returns all of it up to any stop sequence. */
	finish(rest = ""): string {
		if (!this.stopped && rest) this.push(rest);
		if (!this.stopped) this.flushTo(this.text.length);
		return this.text.slice(0, this.emitted);
	}

	/** The earliest stop sequence in the text not searched yet (a match may start in the searched tail). */
	private firstStop(): { at: number; stop: string } | undefined {
		let first: { at: number; stop: string } | undefined;
		for (const stop of this.stops) {
			const at = this.text.indexOf(stop, this.searchFrom);
			if (at >= 0 && (first === undefined || at < first.at)) first = { at, stop };
		}
		return first;
	}

	/** Length of the longest tail of the text that begins a stop sequence. */
	private heldBack(): number {
		for (let length = Math.min(this.longest - 1, this.text.length); length > 0; length--)
			if (this.prefixes.has(this.text.slice(this.text.length - length))) return length;
		return 0;
	}

	private flushTo(end: number): void {
		if (end > this.emitted) {
			this.emit(this.text.slice(this.emitted, end));
			this.emitted = end;
		}
	}
}
