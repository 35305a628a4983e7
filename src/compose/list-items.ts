import type { Node, YAMLSeq } from 'yaml';
import { lastContentLine } from './service-block';
import { indentOf, lineAt, lineText, spliceLine, type LineEdit, type SourceText } from './source-text';

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
 * Deletes the items at `indexes` (ascending): their own lines in a block list;
 * in a flow list one splice, so they must follow each other on one line, as
 * `appendItems` wrote them. Undefined when that cannot be done exactly.
 */
export function removeItems(src: SourceText, seq: YAMLSeq, indexes: readonly number[]): LineEdit[] | undefined {
  const items = seq.items as Node[];
  const nodes = indexes.map((i) => items[i]).filter((n): n is Node => n?.range != null);
  const [first, last] = [nodes[0]?.range, nodes[nodes.length - 1]?.range];
  if (!first || !last || nodes.length !== indexes.length) return undefined;
  if (!seq.flow) {
    return nodes.map((n) => ({ from: lineAt(src, n.range?.[0] ?? 0), to: lastContentLine(src, n) + 1, lines: [] }));
  }
  const firstIndex = indexes[0] ?? 0;
  const lastIndex = firstIndex + indexes.length - 1;
  if (indexes[indexes.length - 1] !== lastIndex) return undefined;
  const previous = items[firstIndex - 1]?.range;
  const following = items[lastIndex + 1]?.range;
  const [start, end] = previous ? [previous[1], last[1]] : following ? [first[0], following[0]] : [first[0], last[1]];
  if (lineAt(src, start) !== lineAt(src, end)) return undefined;
  return [spliceLine(src, start, end - start, '')];
}
