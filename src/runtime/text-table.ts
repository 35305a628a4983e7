/** A column of a text table: its heading, and numbers line up on the right. */
export interface Column<T> {
  readonly head: string;
  readonly cell: (row: T) => string;
  readonly right?: boolean;
}

/**
 * The rows as lines of aligned columns, the headings first, two spaces apart, no trailing blanks;
 * with `rule`, a line of dashes under the headings.
 */
export function textTable<T>(columns: readonly Column<T>[], rows: readonly T[], opts: { rule?: boolean } = {}): string[] {
  const table = [columns.map((c) => c.head), ...rows.map((row) => columns.map((c) => c.cell(row)))];
  const widths = columns.map((_, i) => Math.max(...table.map((cells) => (cells[i] ?? '').length)));
  const lines = table.map((cells) =>
    cells
      .map((cell, i) => (columns[i]?.right ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
  if (opts.rule) lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  return lines;
}
