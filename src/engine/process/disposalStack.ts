/**
 * Native resources that depend on those created before them: a capture context reads its model's
 * weights when it is freed, and a context belongs to its model. Disposing them newest first keeps
 * every resource's dependencies alive until it is gone, on a normal unload and after a failed load.
 */
import { AsyncDisposeAggregator, type AsyncDisposeAggregatorWrappedTarget } from "lifecycle-utils";

/** A function to call, or an object with `dispose()` (sync or async) or `Symbol.asyncDispose`. */
export type DisposableResource = AsyncDisposeAggregatorWrappedTarget;

export class DisposalStack {
	private readonly resources: DisposableResource[] = [];
	private disposal: Promise<void> | undefined;

	/** Registers `resource` to be disposed before everything registered earlier; returns it. */
	use<T extends DisposableResource>(resource: T): T {
		if (this.disposal) throw new Error("cannot register a resource on a disposed stack");
		this.resources.push(resource);
		return resource;
	}

	/**
	 * Disposes every resource, newest first, each once the previous one has finished. A failure does
	 * not stop the rest, which would otherwise leak; the first failure is thrown after all of them.
	 * A second call waits for the first instead of disposing anything twice.
	 */
	dispose(): Promise<void> {
		if (!this.disposal) {
			// The aggregator disposes in the order it was given, so it is given the resources reversed.
			const aggregator = new AsyncDisposeAggregator();
			for (const resource of this.resources.splice(0).reverse()) aggregator.add(resource);
			this.disposal = aggregator.dispose();
		}
		return this.disposal;
	}
}

/**
 * Runs `create` with a fresh stack for it to register what it creates. When `create` fails half-way,
 * what it had registered is disposed, newest first, and `create`'s own error is thrown: an error from
 * the cleanup would only hide why the creation failed.
 */
export async function createDisposing<T>(create: (resources: DisposalStack) => Promise<T>): Promise<T> {
	const resources = new DisposalStack();
	try {
		return await create(resources);
	} catch (error) {
		await resources.dispose().catch(() => undefined);
		throw error;
	}
}
