/** Reading a message from an untrusted page against its valibot schema, with the first problem named. */
import * as v from "valibot";

export type ReadMessage<T> = { ok: true; message: T } | { ok: false; problem: string };

export function readMessage<Schema extends v.GenericSchema>(
	schema: Schema,
	value: unknown
): ReadMessage<v.InferOutput<Schema>> {
	const result = v.safeParse(schema, value);
	if (result.success) return { ok: true, message: result.output };
	const issue = result.issues[0];
	const where = v.getDotPath(issue);
	return { ok: false, problem: `${where ? `${where}: ` : ""}${issue.message}` };
}
