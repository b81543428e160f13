/** A byte order mark some editors put at the start of UTF-8 files; it is not part of the data. */
const BYTE_ORDER_MARK = "\uFEFF";

export function stripByteOrderMark(text: string): string {
	return text.startsWith(BYTE_ORDER_MARK) ? text.slice(BYTE_ORDER_MARK.length) : text;
}

/**
 * Yields each line with its 1-based number, accepting LF and CRLF endings. A final line ending does
 * not start another line. Lines are produced lazily so that a line cap can stop before a huge file is
 * split in full.
 */
export function* numberedLines(text: string): Generator<{ line: number; text: string }> {
	let start = 0;
	let line = 1;
	while (start < text.length) {
		const newline = text.indexOf("\n", start);
		const end = newline === -1 ? text.length : newline;
		const content = text.slice(start, end);
		yield { line, text: content.endsWith("\r") ? content.slice(0, -1) : content };
		if (newline === -1) return;
		start = newline + 1;
		line++;
	}
}
