/** A growable little-endian byte sink for GGUF headers (the tensor data is written separately). */
export class ByteWriter {
	private buffer = new Uint8Array(1024);
	private view = new DataView(this.buffer.buffer);
	private length = 0;
	private static readonly encoder = new TextEncoder();

	get size(): number {
		return this.length;
	}

	/** Makes room for `byteCount` bytes and returns where they go; may replace `buffer` and `view`. */
	private reserve(byteCount: number): number {
		const at = this.length;
		if (at + byteCount > this.buffer.length) {
			let capacity = this.buffer.length * 2;
			while (capacity < at + byteCount) capacity *= 2;
			const grown = new Uint8Array(capacity);
			grown.set(this.buffer.subarray(0, at));
			this.buffer = grown;
			this.view = new DataView(grown.buffer);
		}
		this.length += byteCount;
		return at;
	}

	u8(value: number): void {
		const at = this.reserve(1);
		this.view.setUint8(at, value);
	}
	i8(value: number): void {
		const at = this.reserve(1);
		this.view.setInt8(at, value);
	}
	u16(value: number): void {
		const at = this.reserve(2);
		this.view.setUint16(at, value, true);
	}
	i16(value: number): void {
		const at = this.reserve(2);
		this.view.setInt16(at, value, true);
	}
	u32(value: number): void {
		const at = this.reserve(4);
		this.view.setUint32(at, value, true);
	}
	i32(value: number): void {
		const at = this.reserve(4);
		this.view.setInt32(at, value, true);
	}
	f32(value: number): void {
		const at = this.reserve(4);
		this.view.setFloat32(at, value, true);
	}
	f64(value: number): void {
		const at = this.reserve(8);
		this.view.setFloat64(at, value, true);
	}
	u64(value: bigint): void {
		const at = this.reserve(8);
		this.view.setBigUint64(at, value, true);
	}
	i64(value: bigint): void {
		const at = this.reserve(8);
		this.view.setBigInt64(at, value, true);
	}

	/** A GGUF string: u64 byte length, then UTF-8. */
	string(value: string): void {
		const bytes = ByteWriter.encoder.encode(value);
		this.u64(BigInt(bytes.length));
		const at = this.reserve(bytes.length); // may replace this.buffer, so reserve before using it
		this.buffer.set(bytes, at);
	}

	/** The bytes written so far (a copy). */
	toBytes(): Uint8Array {
		return this.buffer.slice(0, this.length);
	}
}
