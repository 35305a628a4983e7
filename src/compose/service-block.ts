import { isAlias, isMap, isScalar, isSeq, type Node, type Pair, type YAMLMap } from 'yaml';
import { ComposeInputError } from './compose-errors';
import { servicePair, type ComposeFile } from './compose-file';
import { blockEnd, columnAt, indentOf, lineAt, lineText, type SourceText } from './source-text';

/** Where a key and its value sit in the source, in whole lines. */
export interface Span {
  readonly first: number;
  readonly last: number;
  readonly column: number;
}

export interface KeySpan extends Span {
  readonly key: string;
  readonly pair: Pair;
}

/** A service in block style: its lines, and the lines of each of its own keys. */
export interface ServiceBlock extends Span {
  readonly name: string;
  readonly map: YAMLMap;
  /** Column of the service's own keys. */
  readonly bodyColumn: number;
  /** Its own keys (not those it merges in), `<<` included. */
  readonly keys: readonly KeySpan[];
}

/**
 * Finds a service's lines. Rewrites need the block layout Compose files nearly
 * always use; anything else (flow style, an alias, a comment out-dented into the
 * middle of the service) is refused rather than guessed at.
 */
export function serviceBlock(file: ComposeFile, name: string): ServiceBlock {
  const src = file.text;
  if (file.services.flow) throw layoutError(file, 'its "services" mapping is in flow style ({...})');
  const pair = servicePair(file, name);
  const value = pair?.value;
  if (!pair || !isScalar(pair.key)) throw layoutError(file, `service ${name} was not found in the source`);
  if (isAlias(value)) {
    throw layoutError(file, `service ${name} is an alias (*${value.source}), not a mapping of its own`);
  }
  if (!isMap(value) || value.flow) throw layoutError(file, `service ${name} is not a block mapping`);
  const head = keyStart(file, pair.key, name);
  const block = { first: head.line, column: head.column, last: blockEnd(src, head.line, head.column) };
  if (lastContentLine(src, value) > block.last) {
    throw layoutError(file, `a comment or line in service ${name} is indented less than its keys`);
  }
  const keys = value.items.map((p) => keySpan(file, p, name));
  return { ...block, name, map: value, bodyColumn: keys[0]?.column ?? block.column + 2, keys };
}

export function keyOf(block: ServiceBlock, key: string): KeySpan | undefined {
  return block.keys.find((k) => k.key === key);
}

/**
 * A top-level key of the file (`networks`), in whole lines as a service's own
 * keys are; undefined when the file has none.
 */
export function topLevelKey(file: ComposeFile, key: string): KeySpan | undefined {
  const root = file.doc.contents;
  const pair = isMap(root) ? root.items.find((p) => isScalar(p.key) && String(p.key.value) === key) : undefined;
  return pair ? keySpan(file, pair, undefined) : undefined;
}

/** The file's last top-level key, where a new one goes after. */
export function lastTopLevelKey(file: ComposeFile): KeySpan | undefined {
  const root = file.doc.contents;
  const pair = isMap(root) ? root.items[root.items.length - 1] : undefined;
  return pair ? keySpan(file, pair, undefined) : undefined;
}

/** `service` owns the key; undefined for a top-level key. */
function keySpan(file: ComposeFile, pair: Pair, service: string | undefined): KeySpan {
  if (!isScalar(pair.key)) {
    throw layoutError(file, `${service === undefined ? 'the file' : `service ${service}`} has a key that is not a plain name`);
  }
  const key = typeof pair.key.value === 'symbol' ? '<<' : String(pair.key.value);
  const path = service === undefined ? key : `${service}.${key}`;
  const head = keyStart(file, pair.key, path);
  const last = blockEnd(file.text, head.line, head.column);
  if (lastContentLine(file.text, pair.value as Node | null) > last) {
    throw layoutError(file, `the value of ${path} has a line indented less than its key`);
  }
  return { key, pair, first: head.line, last, column: head.column };
}

function keyStart(file: ComposeFile, key: Node, what: string): { line: number; column: number } {
  const offset = key.range?.[0] ?? 0;
  const line = lineAt(file.text, offset);
  const column = columnAt(file.text, offset);
  // Properties (an anchor or tag before the key) or a `- ` would make the line start elsewhere.
  if (indentOf(lineText(file.text, line)) !== column) throw layoutError(file, `${what} does not start its own line`);
  return { line, column };
}

/** Line of the last character that is not white space in a node (0 for none). */
export function lastContentLine(src: SourceText, node: Node | null | undefined): number {
  return contentLineBefore(src, node?.range?.[1] ?? 0);
}

/** Line of the last character before `end` that is not white space (0 for none). */
export function contentLineBefore(src: SourceText, end: number): number {
  let at = end;
  while (at > 0 && /\s/.test(src.source.charAt(at - 1))) at--;
  return at > 0 ? lineAt(src, at - 1) : 0;
}

function layoutError(file: ComposeFile, why: string): ComposeInputError {
  return new ComposeInputError('layout', `cannot rewrite ${file.label}: ${why}`);
}

/** Indentation for lines we write, copied from the file's own style. */
export interface Indents {
  /** A service's keys. */
  readonly body: string;
  /** One level deeper than `body`: keys of a nested mapping. */
  readonly nested: string;
  /** Where a `- ` item of a block sequence under a service key starts. */
  readonly item: string;
}

export function indentsFor(file: ComposeFile, block: ServiceBlock): Indents {
  const step = Math.max(1, block.bodyColumn - block.column);
  const itemOffset = sequenceItemOffset(file) ?? step;
  return {
    body: ' '.repeat(block.bodyColumn),
    nested: ' '.repeat(block.bodyColumn + step),
    item: ' '.repeat(block.bodyColumn + itemOffset),
  };
}

/** How far the file indents `- ` items past their key (0 is common: `ports:` then `- "80:80"` below it). */
function sequenceItemOffset(file: ComposeFile): number | undefined {
  for (const service of file.services.items) {
    if (!isMap(service.value)) continue;
    for (const pair of service.value.items) {
      const seq = pair.value;
      const item = isSeq(seq) && !seq.flow ? (seq.items[0] as Node | undefined) : undefined;
      const keyOffset = (pair.key as Node | null)?.range?.[0];
      const itemOffset = item?.range?.[0];
      if (keyOffset === undefined || itemOffset === undefined) continue;
      const itemLine = lineText(file.text, lineAt(file.text, itemOffset));
      if (!itemLine.trimStart().startsWith('-')) continue;
      return indentOf(itemLine) - columnAt(file.text, keyOffset);
    }
  }
  return undefined;
}
