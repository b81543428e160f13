/** A growable little-endian byte sink for GGUF headers (the tensor data is written separately). */
export class ByteWriter {
	private buffer = new Uint8Array(1024);
	private view = new DataView(this.buffer.buffer);
	private length = 0;
	private static readonly encoder = new TextEncoder();

	get size(): number {
		return this.length;
	}

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
		this.view.setUint8(this.reserve(1), value);
	}
	i8(value: number): void {
		this.view.setInt8(this.reserve(1), value);
	}
	u16(value: number): void {
		this.view.setUint16(this.reserve(2), value, true);
	}
	i16(value: number): void {
		this.view.setInt16(this.reserve(2), value, true);
	}
	u32(value: number): void {
		this.view.setUint32(this.reserve(4), value, true);
	}
	i32(value: number): void {
		this.view.setInt32(this.reserve(4), value, true);
	}
	f32(value: number): void {
		this.view.setFloat32(this.reserve(4), value, true);
	}
	f64(value: number): void {
		this.view.setFloat64(this.reserve(8), value, true);
	}
	u64(value: bigint): void {
		this.view.setBigUint64(this.reserve(8), value, true);
	}
	i64(value: bigint): void {
		this.view.setBigInt64(this.reserve(8), value, true);
	}

	/** A GGUF string: u64 byte length, then UTF-8. */
	string(value: string): void {
		const bytes = ByteWriter.encoder.encode(value);
		this.u64(BigInt(bytes.length));
		this.buffer.set(bytes, this.reserve(bytes.length));
	}

	/** The bytes written so far (a copy). */
	toBytes(): Uint8Array {
		return this.buffer.slice(0, this.length);
	}
}
