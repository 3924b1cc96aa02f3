/**
 * Splits a rejected row as delivered into its cells with the source's delimiter and quote (a
 * quoted cell may hold the delimiter, a doubled quote is one quote); null when the quoting is
 * malformed, as the ingest would find it.
 */
export function splitRecord(raw: string, delimiter: string, quote: string): string[] | null {
  const cells: string[] = [];
  let cell = "";
  let quoted = false;
  let wasQuoted = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (quoted) {
      if (c === quote && raw[i + 1] === quote) {
        cell += quote;
        i++;
      } else if (c === quote) {
        quoted = false;
      } else {
        cell += c;
      }
    } else if (c === quote && cell.trim() === "" && !wasQuoted) {
      quoted = true;
      wasQuoted = true;
      cell = "";
    } else if (c === delimiter) {
      cells.push(cell);
      cell = "";
      wasQuoted = false;
    } else if (c === quote || (wasQuoted && c.trim() !== "")) {
      return null;
    } else {
      cell += c;
    }
  }
  if (quoted) {
    return null;
  }
  cells.push(cell);
  return cells;
}

/** The 0-based column of the header that feeds {@code field}; -1 when the mapping does not read it from a column. */
export function fieldColumn(field: string, header: readonly string[], fieldColumns: Readonly<Record<string, string>>): number {
  const column = field === "" ? undefined : fieldColumns[field];
  return column === undefined ? -1 : header.indexOf(column);
}
