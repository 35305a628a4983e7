import { isSeq } from 'yaml';
import { ComposeInputError } from './compose-errors';
import type { ComposeFile, ServiceConfig } from './compose-file';
import { appendItems } from './list-items';
import { scalarList } from './plain-values';
import { parsePortRange } from './port-spec';
import { keyOf, type Indents, type ServiceBlock } from './service-block';
import type { LineEdit } from './source-text';

/** How `add` makes the service expose the balanced port. */
export interface ExposePlan {
  /** Lines of a new `expose:` key; empty when the service keeps its own. */
  readonly newKeyLines: readonly string[];
  /** The item appended to the service's own `expose:` list, and the edit doing it. */
  readonly appended: { readonly item: string; readonly edit: LineEdit } | undefined;
  /** The `expose` value Compose will read afterwards. */
  readonly after: unknown;
}

/**
 * `expose` documents the port the balancer reaches (replicas on a shared network
 * reach each other's ports either way). An existing list gets the port appended;
 * a list the service only merges in (`<<`) is copied into a key of its own, since
 * a key of its own replaces the merged one.
 */
export function planExpose(
  file: ComposeFile,
  block: ServiceBlock,
  config: ServiceConfig,
  port: number,
  indents: Indents,
): ExposePlan {
  const current = config['expose'];
  const item = String(port);
  if (scalarList(current).some((e) => covers(e, port))) return keptExpose(config);
  const own = keyOf(block, 'expose');
  if (!own) {
    const after = [...scalarList(current), item];
    const newKeyLines = [`${indents.body}expose:`, ...after.map((e) => `${indents.item}- ${JSON.stringify(e)}`)];
    return { newKeyLines, appended: undefined, after };
  }
  const seq = own.pair.value;
  if (!isSeq(seq)) {
    throw new ComposeInputError('layout', `cannot rewrite ${file.label}: ${block.name}'s "expose" is not a list`);
  }
  const edit = appendItems(file.text, seq, [JSON.stringify(item)]);
  return { newKeyLines: [], appended: { item, edit }, after: [...(Array.isArray(current) ? current : []), item] };
}

/** The service's expose as it is: add writes none. */
export function keptExpose(config: ServiceConfig): ExposePlan {
  return { newKeyLines: [], appended: undefined, after: config['expose'] };
}

function covers(entry: string, port: number): boolean {
  const range = parsePortRange(entry);
  return range !== undefined && range.start <= port && port <= range.end;
}
