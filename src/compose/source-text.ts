/**
 * The compose file as lines, each with its own line ending, and whole-line edits on it.
 *
 * Rewrites splice text into the user's source instead of re-serialising a yaml
 * Document: `Document.toString()` re-renders every node (quoting, flow style,
 * comment spacing, indentation), while a splice leaves every byte it does not
 * touch exactly as it was. Whole lines keep the splices simple to reason about
 * and let `remove` undo `add` line for line.
 */

export interface Line {
  readonly text: string;
  /** '\n', '\r\n', or '' for a last line without one. */
  readonly eol: string;
}

export interface SourceText {
  readonly source: string;
  readonly lines: readonly Line[];
  /** Offset of each line's first character, for mapping yaml node ranges to lines. */
  readonly starts: readonly number[];
  /** The ending new lines get: the file's first one, '\n' if it has none. */
  readonly eol: string;
}

/** Replaces lines [from, to) with `lines`; from === to inserts before line `from`. */
export interface LineEdit {
  readonly from: number;
  readonly to: number;
  readonly lines: readonly (Line | string)[];
}

export function sourceText(source: string): SourceText {
  const lines: Line[] = [];
  const starts: number[] = [];
  const ending = /\r?\n/g;
  let start = 0;
  for (let m = ending.exec(source); m !== null; m = ending.exec(source)) {
    starts.push(start);
    lines.push({ text: source.slice(start, m.index), eol: m[0] });
    start = m.index + m[0].length;
  }
  if (start < source.length) {
    starts.push(start);
    lines.push({ text: source.slice(start), eol: '' });
  }
  return { source, lines, starts, eol: lines.find((l) => l.eol !== '')?.eol ?? '\n' };
}

/** The line holding character `offset` (binary search over line starts). */
export function lineAt(src: SourceText, offset: number): number {
  let lo = 0;
  let hi = src.starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((src.starts[mid] ?? 0) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export function columnAt(src: SourceText, offset: number): number {
  return offset - (src.starts[lineAt(src, offset)] ?? 0);
}

export function lineText(src: SourceText, index: number): string {
  return src.lines[index]?.text ?? '';
}

export function isBlank(text: string): boolean {
  return text.trim() === '';
}

export function indentOf(text: string): number {
  return text.length - text.trimStart().length;
}

/**
 * The last line of the block that starts at `first` and holds everything indented
 * deeper than `indent`: it ends before the next non-blank line at `indent` or less,
 * trailing blank lines left out. Comment lines count by their indentation too, so a
 * commented-out key inside a service stays with that service. A block sequence may
 * sit at its key's own indentation (`ports:` then `- "80:80"` below the `p`), so
 * `- ` items there, and comments between them, belong to the block as well.
 */
export function blockEnd(src: SourceText, first: number, indent: number): number {
  let last = first;
  for (let i = first + 1; i < src.lines.length; i++) {
    const text = lineText(src, i);
    if (isBlank(text)) continue;
    if (indentOf(text) < indent || (indentOf(text) === indent && !isCompactItem(src, i, indent))) break;
    last = i;
  }
  return last;
}

/** A `- ` item at `indent`, or a comment line at `indent` that only comments between such items. */
function isCompactItem(src: SourceText, index: number, indent: number): boolean {
  for (let i = index; i < src.lines.length; i++) {
    const text = lineText(src, i);
    if (isBlank(text)) continue;
    if (indentOf(text) !== indent) return false;
    const rest = text.trimStart();
    if (rest === '-' || rest.startsWith('- ')) return true;
    if (!rest.startsWith('#')) return false;
  }
  return false;
}

/**
 * Applies non-overlapping edits. Edits at the same place keep their order. The
 * result ends with a line ending exactly when the source did, whichever lines moved.
 */
export function applyLineEdits(src: SourceText, edits: readonly LineEdit[]): string {
  const sorted = edits
    .map((edit, order) => ({ edit, order }))
    .sort((a, b) => a.edit.from - b.edit.from || a.order - b.order)
    .map((e) => e.edit);
  const out: Line[] = [];
  let next = 0;
  for (const edit of sorted) {
    if (edit.from < next || edit.to < edit.from) throw new Error(`overlapping line edits at line ${edit.from + 1}`);
    out.push(...src.lines.slice(next, edit.from));
    for (const line of edit.lines) out.push(typeof line === 'string' ? { text: line, eol: src.eol } : line);
    next = edit.to;
  }
  out.push(...src.lines.slice(next));
  const endsWithEol = src.lines.length === 0 || src.lines[src.lines.length - 1]?.eol !== '';
  return out
    .map((line, i) => {
      if (i < out.length - 1) return line.text + (line.eol || src.eol);
      return line.text + (endsWithEol ? line.eol || src.eol : '');
    })
    .join('');
}

/** Replaces `length` characters at `offset` (all on one line) with `insert`, as a whole-line edit. */
export function spliceLine(src: SourceText, offset: number, length: number, insert: string): LineEdit {
  const index = lineAt(src, offset);
  const line = src.lines[index] ?? { text: '', eol: '' };
  const column = offset - (src.starts[index] ?? 0);
  if (column + length > line.text.length) throw new Error(`a splice at line ${index + 1} runs past the line`);
  const text = line.text.slice(0, column) + insert + line.text.slice(column + length);
  return { from: index, to: index + 1, lines: [{ text, eol: line.eol }] };
}
