import { GgufFormatError, GgufTruncatedError } from "./errors";

/** True on little-endian hosts, where GGUF's little-endian numbers can be copied without swapping. */
export const hostIsLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

const utf8Strict = new TextDecoder("utf-8", { fatal: true });
const utf8Lenient = new TextDecoder("utf-8");

/**
 * A bounds-checked little-endian reader over a byte array that may be only a prefix of the file.
 *
 * Two limits matter: `bytes.length` (what is in memory) and `fileSize` (what the whole file has).
 * Running past the first is a GgufTruncatedError (the caller may read more and retry); a count or
 * length that could not fit even in the whole file is a plain GgufFormatError. Every length is
 * checked before anything is allocated for it, so a corrupt count cannot make us allocate more than
 * the input holds.
 */
export class ByteCursor {
	private readonly view: DataView;
	offset = 0;

	constructor(
		readonly bytes: Uint8Array,
		readonly fileSize: number = bytes.length
	) {
		this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	}

	/** Bytes the whole file still has after the current offset. */
	get bytesLeftInFile(): number {
		return this.fileSize - this.offset;
	}

	/**
	 * Fails unless `byteCount` more bytes can be read now. Running past the whole file reports the
	 * file's size; running past an in-memory prefix reports the prefix's size, which tells a caller
	 * holding a prefix that reading more of the file may help.
	 */
	require(byteCount: number, what: string): void {
		if (byteCount > this.fileSize - this.offset)
			throw new GgufTruncatedError(what, this.offset, byteCount, this.fileSize);
		if (byteCount > this.bytes.length - this.offset)
			throw new GgufTruncatedError(what, this.offset, byteCount, this.bytes.length);
	}

	/**
	 * Fails unless `count` items of at least `minBytesEach` bytes could fit in the rest of the file.
	 * This is the guard that turns a count of 2^60 into an instant error instead of an allocation.
	 */
	requirePlausibleCount(count: bigint, minBytesEach: number, what: string, at: number): number {
		const left = BigInt(Math.max(0, this.fileSize - this.offset));
		if (count * BigInt(minBytesEach) > left) {
			throw new GgufFormatError(
				`${what} of ${count} is impossible: that many items need at least ${count * BigInt(minBytesEach)} bytes but only ${left} remain in the file (corrupt or truncated file?)`,
				at
			);
		}
		return Number(count);
	}

	u8(what: string): number {
		this.require(1, what);
		return this.view.getUint8(this.offset++);
	}

	i8(what: string): number {
		this.require(1, what);
		return this.view.getInt8(this.offset++);
	}

	u16(what: string): number {
		this.require(2, what);
		const value = this.view.getUint16(this.offset, true);
		this.offset += 2;
		return value;
	}

	i16(what: string): number {
		this.require(2, what);
		const value = this.view.getInt16(this.offset, true);
		this.offset += 2;
		return value;
	}

	u32(what: string): number {
		this.require(4, what);
		const value = this.view.getUint32(this.offset, true);
		this.offset += 4;
		return value;
	}

	i32(what: string): number {
		this.require(4, what);
		const value = this.view.getInt32(this.offset, true);
		this.offset += 4;
		return value;
	}

	f32(what: string): number {
		this.require(4, what);
		const value = this.view.getFloat32(this.offset, true);
		this.offset += 4;
		return value;
	}

	f64(what: string): number {
		this.require(8, what);
		const value = this.view.getFloat64(this.offset, true);
		this.offset += 8;
		return value;
	}

	u64(what: string): bigint {
		this.require(8, what);
		const value = this.view.getBigUint64(this.offset, true);
		this.offset += 8;
		return value;
	}

	i64(what: string): bigint {
		this.require(8, what);
		const value = this.view.getBigInt64(this.offset, true);
		this.offset += 8;
		return value;
	}

	/** A u64 that must be usable as a JS number (sizes and offsets). */
	u64AsNumber(what: string): number {
		const at = this.offset;
		const value = this.u64(what);
		if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new GgufFormatError(`${what} ${value} is too large`, at);
		return Number(value);
	}

	/** Copies `byteCount` bytes out (never a view, so results do not pin or alias the input). */
	copy(byteCount: number, what: string): Uint8Array {
		this.require(byteCount, what);
		// Not bytes.slice(): on a Node Buffer that returns a view into the same memory, not a copy.
		const out = new Uint8Array(byteCount);
		out.set(this.bytes.subarray(this.offset, this.offset + byteCount));
		this.offset += byteCount;
		return out;
	}

	/**
	 * A GGUF string: u64 byte length then UTF-8 bytes. `strict` rejects invalid UTF-8 (for keys and
	 * tensor names, which must round-trip exactly); values are decoded leniently because some
	 * tokenizers store byte fragments that are not valid UTF-8 on their own.
	 */
	string(what: string, strict: boolean): string {
		const at = this.offset;
		const length = this.u64(`length of ${what}`);
		const byteLength = this.requirePlausibleCount(length, 1, `length of ${what}`, at);
		this.require(byteLength, what);
		const slice = this.bytes.subarray(this.offset, this.offset + byteLength);
		let text: string;
		try {
			text = (strict ? utf8Strict : utf8Lenient).decode(slice);
		} catch {
			throw new GgufFormatError(`${what} is not valid UTF-8`, this.offset);
		}
		this.offset += byteLength;
		return text;
	}
}
