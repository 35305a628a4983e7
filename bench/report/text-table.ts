import { textTable } from '../../src/runtime/text-table';

export type Align = 'left' | 'right';

export interface Table {
  readonly title: string;
  readonly headers: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** Per column; numbers read best right-aligned. Default: first column left, the rest right. */
  readonly align?: readonly Align[];
  /** Lines under the table: what a column means, how it was measured. */
  readonly notes?: readonly string[];
}

const alignOf = (table: Table, i: number): Align => table.align?.[i] ?? (i === 0 ? 'left' : 'right');

/** A table for the terminal: columns padded to their widest cell, a rule under the header. Pure. */
export function renderText(table: Table): string {
  const columns = table.headers.map((head, i) => ({
    head,
    cell: (row: readonly string[]) => row[i] ?? '',
    right: alignOf(table, i) === 'right',
  }));
  return [table.title, ...textTable(columns, table.rows, { rule: true }), ...(table.notes ?? []).map((n) => `  ${n}`)].join('\n');
}

const mdCell = (text: string): string => text.replace(/\|/g, '\\|');

/** The same table as GitHub markdown, under a `###` heading. Pure. */
export function renderMarkdown(table: Table): string {
  const row = (cells: readonly string[]): string => `| ${cells.map(mdCell).join(' | ')} |`;
  const rule = table.headers.map((_, i) => (alignOf(table, i) === 'right' ? '---:' : '---'));
  return [
    `### ${table.title}`,
    '',
    row(table.headers),
    `| ${rule.join(' | ')} |`,
    ...table.rows.map(row),
    ...(table.notes !== undefined && table.notes.length > 0 ? ['', ...table.notes.map((n) => `${n}  `)] : []),
  ].join('\n');
}
