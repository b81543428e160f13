/**
 * A long job Steer runs for the user (a strength sweep, a condition search; training uses the same
 * notification through its command): shown where people look — a cancellable progress notification —
 * and, step by step, in the page that started it. Cancelling either stops the job the same way.
 */
import { withCancellableProgress } from "../commands/commandRunner";

export interface LongJob<T> {
	/** The notification's title, e.g. "Steer: strength sweep of happy.gguf". */
	readonly title: string;
	/** What a step is called in the notification: "strength 2 of 6". */
	readonly step: (done: number, total: number) => string;
	/** Stops the job (the runner's own cancel, which the page's Stop button also uses). */
	readonly cancel: () => void;
	/** Tells the page that started the job where it is. */
	readonly onProgress: (done: number, total: number) => void;
	readonly run: (progress: (done: number, total: number) => void) => Promise<T>;
}

export function runLongJob<T>(job: LongJob<T>): Thenable<T> {
	return withCancellableProgress(job.title, (signal, report) => {
		signal.addEventListener("abort", job.cancel, { once: true });
		return job.run((done, total) => {
			report(job.step(done, total), total > 0 ? done / total : undefined);
			job.onProgress(done, total);
		});
	});
}
