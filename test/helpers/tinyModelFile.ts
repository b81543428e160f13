import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { makeTinyModel, type TinyModelOptions } from "../fixtures/gguf/tinyModel";

/** Writes a generated random-weight model (llama unless told) to a temporary folder; `remove` deletes it. */
export function writeTinyModel(options: TinyModelOptions = {}): { file: string; remove: () => void } {
	const dir = mkdtempSync(path.join(os.tmpdir(), "steer-tiny-model-"));
	const file = path.join(dir, "tiny.gguf");
	writeFileSync(file, makeTinyModel(options));
	return { file, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
