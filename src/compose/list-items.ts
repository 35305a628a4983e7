import { isPair, type Node, type YAMLMap, type YAMLSeq } from 'yaml';
import { contentLineBefore, lastContentLine } from './service-block';
import { columnAt, indentOf, lineAt, lineText, spliceLine, type LineEdit, type SourceText } from './source-text';

/**
 * Appends items to a list the user wrote, in its own layout: `- item` lines
 * under the last item of a block list, `, item` after the last item of a flow
 * list. `texts` are the items as YAML scalars.
 */
export function appendItems(src: SourceText, seq: YAMLSeq, texts: readonly string[]): LineEdit {
  const items = seq.items as Node[];
  const last = items[items.length - 1];
  if (seq.flow) {
    const at = last?.range?.[1] ?? (seq.range?.[0] ?? 0) + 1;
    return spliceLine(src, at, 0, `${last ? ', ' : ''}${texts.join(', ')}`);
  }
  const dash = indentOf(lineText(src, lineAt(src, items[0]?.range?.[0] ?? 0)));
  const line = lastContentLine(src, seq) + 1;
  return { from: line, to: line, lines: texts.map((text) => `${' '.repeat(dash)}- ${text}`) };
}

/**
 * Appends keys to a block mapping the user wrote, after its last one:
 * `lines` gets the indentation of the mapping's keys. Undefined for a
 * mapping in flow style or without a key of its own to copy it from.
 */
export function appendPairLines(
  src: SourceText,
  map: YAMLMap,
  lines: (indent: string) => readonly string[],
): LineEdit | undefined {
  const firstKey = map.flow ? undefined : (map.items[0]?.key as Node | null | undefined)?.range;
  if (!firstKey) return undefined;
  const line = lastContentLine(src, map) + 1;
  return { from: line, to: line, lines: lines(' '.repeat(columnAt(src, firstKey[0]))) };
}

type Range = readonly [number, number];

/** Where each item sits: a sequence's nodes, a mapping's pairs from the key to the end of the value. */
function itemRanges(collection: YAMLSeq | YAMLMap): (Range | undefined)[] {
  return (collection.items as unknown[]).map((item) => {
    const nodes = isPair(item) ? [item.key, item.value] : [item];
    const ranges = (nodes as (Node | null)[]).flatMap((n) => (n?.range ? [n.range] : []));
    const first = ranges[0];
    return first ? [first[0], Math.max(...ranges.map((r) => r[1]))] : undefined;
  });
}

/**
 * Deletes the items at `indexes` (ascending) from a list or a mapping: their
 * own lines in block style; in flow style one splice, so they must follow each
 * other on one line, as `appendItems` wrote them. Undefined when that cannot
 * be done exactly.
 */
export function removeItems(
  src: SourceText,
  collection: YAMLSeq | YAMLMap,
  indexes: readonly number[],
): LineEdit[] | undefined {
  const ranges = itemRanges(collection);
  const chosen = indexes.map((i) => ranges[i]).filter((r): r is Range => r !== undefined);
  const [first, last] = [chosen[0], chosen[chosen.length - 1]];
  if (!first || !last || chosen.length !== indexes.length) return undefined;
  if (!collection.flow) {
    return chosen.map(([start, end]) => {
      const from = lineAt(src, start);
      return { from, to: Math.max(from, contentLineBefore(src, end)) + 1, lines: [] };
    });
  }
  const firstIndex = indexes[0] ?? 0;
  const lastIndex = firstIndex + indexes.length - 1;
  if (indexes[indexes.length - 1] !== lastIndex) return undefined;
  const previous = ranges[firstIndex - 1];
  const following = ranges[lastIndex + 1];
  const [start, end] = previous ? [previous[1], last[1]] : following ? [first[0], following[0]] : [first[0], last[1]];
  if (lineAt(src, start) !== lineAt(src, end)) return undefined;
  return [spliceLine(src, start, end - start, '')];
}
