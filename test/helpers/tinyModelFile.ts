import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { makeTinyLlamaModel, type TinyLlamaOptions } from "../fixtures/gguf/tinyModel";

/** Writes a generated random-weight model to a temporary folder; `remove` deletes it. */
export function writeTinyModel(options: TinyLlamaOptions = {}): { file: string; remove: () => void } {
	const dir = mkdtempSync(path.join(os.tmpdir(), "steer-tiny-model-"));
	const file = path.join(dir, "tiny.gguf");
	writeFileSync(file, makeTinyLlamaModel(options));
	return { file, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
