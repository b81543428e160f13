/**
 * Streams generated text while watching for stop sequences. Text that could still turn into a stop
 * sequence is held back, so a caller never sees a partial stop string; once one appears, everything
 * from it on is dropped.
 */
export class StopSequenceStream {
	private text = "";
	private emitted = 0;
	stopped = false;
	private readonly holdBack: number;

	constructor(private readonly stops: readonly string[], private readonly emit: (text: string) => void) {
		this.holdBack = Math.max(0, ...stops.map((stop) => stop.length - 1));
	}

	/** Adds generated text; returns true once a stop sequence has appeared. */
	push(chunk: string): boolean {
		if (this.stopped) return true;
		this.text += chunk;
		const at = this.firstStop();
		if (at >= 0) {
			this.stopped = true;
			this.flushTo(at);
			return true;
		}
		this.flushTo(this.text.length - this.holdBack);
		return false;
	}

	/** Ends the stream (`rest`: text not pushed yet) and returns all of it up to any stop sequence. */
	finish(rest = ""): string {
		if (!this.stopped && rest) this.push(rest);
		if (!this.stopped) this.flushTo(this.text.length);
		return this.text.slice(0, this.emitted);
	}

	private firstStop(): number {
		let first = -1;
		for (const stop of this.stops) {
			const at = this.text.indexOf(stop);
			if (at >= 0 && (first < 0 || at < first)) first = at;
		}
		return first;
	}

	private flushTo(end: number): void {
		if (end > this.emitted) {
			this.emit(this.text.slice(this.emitted, end));
			this.emitted = end;
		}
	}
}
