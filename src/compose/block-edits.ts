import { ComposeInputError } from './compose-errors';
import { commentOut } from './markers';
import type { KeySpan, Span } from './service-block';
import { isBlank, lineText, type Line, type LineEdit, type SourceText } from './source-text';

/**
 * The services `add` writes (each given as its lines) go right after the
 * service it balances. Each is set off by a blank line when that service is
 * (followed by one, or preceded by one at the end of the file), so the file
 * keeps its rhythm. `deleteService` applies the same rule backwards, which is
 * what makes `remove` give back the exact bytes.
 */
export function insertAfterService(
  src: SourceText,
  block: Span,
  services: readonly (readonly (Line | string)[])[],
): LineEdit {
  const at = block.last + 1;
  const next = src.lines[at];
  const separate = next !== undefined ? isBlank(next.text) : isBlank(lineText(src, block.first - 1)) && block.first > 0;
  return { from: at, to: at, lines: services.flatMap((lines) => (separate ? ['', ...lines] : lines)) };
}

export function deleteService(src: SourceText, block: Span): LineEdit {
  const next = src.lines[block.last + 1];
  const blankBefore = block.first > 0 && isBlank(lineText(src, block.first - 1));
  const from = blankBefore && (next === undefined || isBlank(next.text)) ? block.first - 1 : block.first;
  return { from, to: block.last + 1, lines: [] };
}

/** Deletes a key and its value. */
export function deleteKey(key: KeySpan): LineEdit {
  return { from: key.first, to: key.last + 1, lines: [] };
}

/** Comments out a key and its value, line by line, in place, each line starting with `tag`. */
export function commentOutKey(src: SourceText, key: KeySpan, label: string, tag: string): LineEdit {
  const lines = src.lines.slice(key.first, key.last + 1);
  if (lines.some((l) => isBlank(l.text))) {
    throw new ComposeInputError('layout', `cannot rewrite ${label}: ${key.key} spans blank lines; remove it by hand`);
  }
  return { from: key.first, to: key.last + 1, lines: lines.map((l) => commentOut(l, key.column, tag)) };
}
