import { isDeepStrictEqual } from 'node:util';
import { isMap, isScalar, isSeq } from 'yaml';
import { OPTIONS } from '../config';
import { readRecord, recordLines, RECORD_KEY, type BalancerRecord } from './add-record';
import { deleteKey } from './block-edits';
import { ComposeInputError } from './compose-errors';
import type { ComposeFile, ServiceConfig } from './compose-file';
import { environmentValue, parseServiceList } from './find-balancer';
import { appendItems, removeItems } from './list-items';
import { isRecord } from './plain-values';
import { without } from './rewrite-check';
import { indentsFor, keyOf, type ServiceBlock } from './service-block';
import { lineAt, spliceLine, type LineEdit } from './source-text';
import { yamlScalar, yamlScalarAs } from './yaml-text';

/**
 * Edits to a balancer that stays while a service joins it as a route or
 * leaves it: its LB_SERVICE list, its depends_on, its record. Each touches
 * only its own lines, so settings the user added to the balancer stay.
 */

const LB_SERVICE = OPTIONS.services.env;

/** LB_SERVICE set to `services` in the balancer's own `environment:` (mapping or `NAME=value` list), quoted as it was. */
export function serviceListEdit(file: ComposeFile, lb: ServiceBlock, services: readonly string[]): LineEdit {
  const env = keyOf(lb, 'environment')?.pair.value;
  const value = services.join(',');
  let node: unknown;
  let text = value;
  if (isMap(env)) {
    node = env.items.find((p) => isScalar(p.key) && p.key.value === LB_SERVICE)?.value;
  } else if (isSeq(env)) {
    node = env.items.find((n) => isScalar(n) && String(n.value).startsWith(`${LB_SERVICE}=`));
    text = `${LB_SERVICE}=${value}`;
  }
  const range = isScalar(node) ? node.range : undefined;
  if (!isScalar(node) || !range || lineAt(file.text, range[0]) !== lineAt(file.text, range[1])) {
    throw new ComposeInputError(
      'layout',
      `cannot rewrite ${file.label}: ${lb.name} has no one-line ${LB_SERVICE} in its own environment; set it to ${value} by hand`,
    );
  }
  // In a flow collection a plain `,` would end the value.
  const style = (isMap(env) || isSeq(env)) && env.flow ? 'QUOTE_DOUBLE' : node.type;
  return spliceLine(file.text, range[0], range[1] - range[0], yamlScalarAs(text, style));
}

/**
 * Adds `service` to the balancer's depends_on list; undefined when it has none
 * as a list (a mapping sets conditions compose-lb will not guess).
 */
export function dependsOnAppend(file: ComposeFile, lb: ServiceBlock, service: string): LineEdit | undefined {
  const seq = keyOf(lb, 'depends_on')?.pair.value;
  return isSeq(seq) ? appendItems(file.text, seq, [yamlScalar(service)]) : undefined;
}

/** Takes `service` out of the balancer's depends_on list; the whole key when nothing else is left. */
export function dependsOnRemoval(file: ComposeFile, lb: ServiceBlock, service: string): LineEdit[] {
  const key = keyOf(lb, 'depends_on');
  const seq = key?.pair.value;
  if (!key || !isSeq(seq)) return [];
  const found = seq.items.flatMap((n, i) => (isScalar(n) && String(n.value) === service ? [i] : []));
  if (found.length === 0) return [];
  if (found.length === seq.items.length) return [deleteKey(key)];
  return removeItems(file.text, seq, found) ?? [];
}

/** The balancer's record, rewritten whole: it is compose-lb's own text, in the layout `add` first wrote it. */
export function recordEdit(file: ComposeFile, lb: ServiceBlock, record: BalancerRecord): LineEdit {
  const key = keyOf(lb, RECORD_KEY);
  if (!key) {
    throw new ComposeInputError('layout', `cannot rewrite ${file.label}: ${lb.name} has no ${RECORD_KEY} of its own`);
  }
  return { from: key.first, to: key.last + 1, lines: recordLines(record, indentsFor(file, lb)) };
}

/** How the balancer must read afterwards; `also` are other keys meant to change (depends_on, ports). */
export interface BalancerChange {
  readonly before: ServiceConfig;
  readonly services: readonly string[];
  readonly record: BalancerRecord;
  readonly also: readonly string[];
}

/** A check for checkRewrite: LB_SERVICE and the record as meant, nothing else changed beyond `also`. */
export function balancerCheck(change: BalancerChange): (after: ServiceConfig) => string | undefined {
  const keep = (config: ServiceConfig): Record<string, unknown> => ({
    ...without(config, 'environment', RECORD_KEY, ...change.also),
    environment: environmentWithout(config['environment']),
  });
  return (after) => {
    const listed = parseServiceList(environmentValue(after['environment'], LB_SERVICE) ?? '');
    if (!isDeepStrictEqual(listed, change.services)) {
      return `the balancer's ${LB_SERVICE} would not be ${change.services.join(',')}`;
    }
    if (!isDeepStrictEqual(readRecord(after), change.record)) {
      return `the balancer's ${RECORD_KEY} would not read as written`;
    }
    if (!isDeepStrictEqual(keep(after), keep(change.before))) return 'the balancer would change beyond what was meant';
    return undefined;
  };
}

/** The environment without LB_SERVICE, in either form. */
function environmentWithout(environment: unknown): unknown {
  if (Array.isArray(environment)) return environment.filter((e) => !String(e).startsWith(`${LB_SERVICE}=`));
  return isRecord(environment) ? without(environment, LB_SERVICE) : environment;
}
