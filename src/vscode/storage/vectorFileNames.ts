/**
 * How vector files are named, and what happens when the name is taken. A trained vector is named
 * after its dataset and the model it was trained on ("happy-sad.TinyStories-656K.f16.gguf"), so that
 * training the same dataset on another model never touches the first model's vector. A name that is
 * taken is replaced only when the user says so.
 */
import path from "node:path";
import * as vscode from "vscode";
import { pathExists } from "../../files/pathExists";
import { MAX_FILE_NAME_LENGTH } from "../../shared/fileNames";
import { IF_EXISTS_CHOICES, type IfExistsChoice } from "../../shared/webviewProtocol/messages";

/** What to do when the file to write exists: ask the user, replace it, or write beside it ("-2"). */
export type IfExists = IfExistsChoice;
export { IF_EXISTS_CHOICES };

/** `<dataset stem>.<model file stem>.gguf`, with characters a file name should not carry replaced by "-". */
export function trainedVectorFileName(datasetFileName: string, modelPath: string): string {
	const clean = (text: string) =>
		text
			.replace(/[^A-Za-z0-9._-]+/g, "-")
			.replace(/\.{2,}/g, ".")
			.replace(/^[.-]+|[.-]+$/g, "");
	const dataset = clean(path.basename(datasetFileName, path.extname(datasetFileName))) || "vector";
	const model = clean(path.basename(modelPath).replace(/\.gguf$/i, "")) || "model";
	const room = MAX_FILE_NAME_LENGTH - ".gguf".length - dataset.length - 1 - "-99".length;
	return `${dataset}.${model.slice(0, Math.max(8, room))}.gguf`;
}

/** The first of `name-2.gguf`, `name-3.gguf`… that `isTaken` says is free. */
export async function nextFreeFileName(
	fileName: string,
	isTaken: (candidate: string) => Promise<boolean>
): Promise<string> {
	const extension = path.extname(fileName);
	const stem = fileName.slice(0, fileName.length - extension.length);
	for (let index = 2; ; index++) {
		const candidate = `${stem}-${index}${extension}`;
		if (!(await isTaken(candidate))) return candidate;
	}
}

/**
 * The file name to write `fileName` under in `folder`: itself when free or when replacing is wanted,
 * the next free name for "keep both", and for "ask" whatever the user picks in a modal dialog.
 * Throws a cancellation when the user dismisses the dialog, so nothing is written.
 */
export async function resolveTargetFileName(
	folder: string,
	fileName: string,
	ifExists: IfExists,
	what: string
): Promise<string> {
	const isTaken = (candidate: string) => pathExists(path.join(folder, candidate));
	if (!(await isTaken(fileName))) return fileName;
	let choice = ifExists;
	if (choice === "ask") {
		const answer = await vscode.window.showWarningMessage(
			`${fileName} already exists in ${path.basename(folder)}.`,
			{ modal: true, detail: `Replace it with ${what}, or keep both (the new one gets another name)?` },
			"Replace",
			"Keep Both"
		);
		if (answer === undefined) throw new vscode.CancellationError();
		choice = answer === "Replace" ? "replace" : "keepBoth";
	}
	return choice === "replace" ? fileName : nextFreeFileName(fileName, isTaken);
}
