/**
 * Lines pasted from a spreadsheet (tab-separated cells, one row per line) as new rows whose cells
 * start at the column pasted into. A single line without tabs is ordinary text for the cell.
 */
export function rowsFromPaste<Column extends string>(
	pasted: string,
	columns: readonly Column[],
	firstColumn: Column
): Partial<Record<Column, string>>[] | undefined {
	const lines = pasted
		.replace(/\r\n?/g, "\n")
		.split("\n")
		.filter((line) => line.trim() !== "");
	if (lines.length < 2 && !pasted.includes("\t")) return undefined;
	const offset = Math.max(0, columns.indexOf(firstColumn));
	return lines.map((line) => {
		const cells: Partial<Record<Column, string>> = {};
		line.split("\t").forEach((value, index) => {
			const column = columns[offset + index];
			if (column !== undefined) cells[column] = value.trim();
		});
		return cells;
	});
}
