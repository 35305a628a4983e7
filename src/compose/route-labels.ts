import { isMap, isScalar, isSeq } from 'yaml';
import { ROUTE_LABELS, isDefaultRoute, routeRuleOf, type RouteRule } from '../routing/route-rule';
import type { AddRecord } from './add-record';
import { deleteKey } from './block-edits';
import { ComposeInputError } from './compose-errors';
import type { ComposeFile, ServiceConfig } from './compose-file';
import { appendItems, appendPairLines, removeItems } from './list-items';
import { isRecord } from './plain-values';
import { keyOf, type Indents, type KeySpan, type ServiceBlock } from './service-block';
import type { LineEdit } from './source-text';
import { yamlScalar } from './yaml-text';

/** `--host`, `--path-prefix` and `--strip-prefix`: which requests the balancer routes to a service. */
export interface RuleRequest {
  /** One host or several, comma-separated, as the label takes them. */
  readonly host: string | undefined;
  readonly pathPrefix: string | undefined;
  readonly stripPrefix: boolean;
}

/** What `add` does to a service's labels. */
export interface LabelsPlan {
  /** The route the service's labels give it afterwards. */
  readonly rule: RouteRule;
  /** Names of the labels written, in order. */
  readonly added: readonly string[];
  /** Lines of a new `labels:` key; empty when nothing is written or the service has its own. */
  readonly newKeyLines: readonly string[];
  /** The edit adding the labels to the service's own `labels:`. */
  readonly appended: LineEdit | undefined;
  /** The `labels` value Compose reads afterwards. */
  readonly after: unknown;
}

/** A service's labels as names and values, from either form: a mapping, or a list of `name=value`. */
export function labelsOf(labels: unknown): Record<string, string> {
  if (isRecord(labels)) {
    const entries = Object.entries(labels).map(([name, value]) => [name, value === null ? '' : String(value)]);
    return Object.fromEntries(entries);
  }
  const items = Array.isArray(labels) ? labels.map(String) : [];
  return Object.fromEntries(items.map((item) => [labelName(item), item.slice(labelName(item).length + 1)]));
}

/** The name in a list-form label, `name=value` or a bare `name`. */
function labelName(item: string): string {
  const at = item.indexOf('=');
  return at < 0 ? item : item.slice(0, at);
}

/** The service's route as the balancer will read its labels; undefined when they are not a valid rule. */
export function routeOfService(config: ServiceConfig): RouteRule | undefined {
  const rule = routeRuleOf(labelsOf(config['labels']));
  return typeof rule === 'string' ? undefined : rule;
}

/** The labels a request writes, in the order they are written. */
function wantedLabels(request: RuleRequest | undefined): [string, string][] {
  if (request === undefined) return [];
  if (request.stripPrefix && request.pathPrefix === undefined) {
    throw new ComposeInputError('arguments', '--strip-prefix needs --path-prefix: it says to take that prefix off');
  }
  return [
    ...(request.host === undefined ? [] : [[ROUTE_LABELS.host, request.host] as [string, string]]),
    ...(request.pathPrefix === undefined ? [] : [[ROUTE_LABELS.pathPrefix, request.pathPrefix] as [string, string]]),
    ...(request.stripPrefix ? [[ROUTE_LABELS.stripPrefix, 'true'] as [string, string]] : []),
  ];
}

/** True when the request writes any label. */
export function writesLabels(request: RuleRequest | undefined): boolean {
  return wantedLabels(request).length > 0;
}

/**
 * The routing labels go on the service itself, so `docker compose config`
 * shows them and every replica carries them (the balancer reads them from the
 * containers: src/docker/to-replica.ts). A label the service already has is
 * never overwritten, and the result must be a rule the balancer accepts.
 */
export function planLabels(
  file: ComposeFile,
  block: ServiceBlock,
  config: ServiceConfig,
  request: RuleRequest | undefined,
  indents: Indents,
): LabelsPlan {
  const wanted = wantedLabels(request);
  const current = config['labels'];
  const had = labelsOf(current);
  const taken = wanted.find(([name]) => name in had);
  if (taken) {
    throw new ComposeInputError(
      'route',
      `${block.name} already has the label ${taken[0]}="${had[taken[0]] ?? ''}"; leave out the option that sets it, or remove the label first`,
    );
  }
  const rule = routeRuleOf({ ...had, ...Object.fromEntries(wanted) });
  if (typeof rule === 'string') throw new ComposeInputError('route', `cannot route requests to ${block.name}: ${rule}`);
  if (wanted.length > 0 && isDefaultRoute(rule)) {
    throw new ComposeInputError(
      'route',
      '--host and --path-prefix as given match every request; name a host, or a path below /',
    );
  }
  const plan = { rule, added: wanted.map(([name]) => name), newKeyLines: [], appended: undefined, after: current };
  if (wanted.length === 0) return plan;
  const own = keyOf(block, 'labels');
  const value = own?.pair.value;
  if (!own) {
    const lines = wanted.map(([n, v]) => `${indents.nested}${n}: ${yamlScalar(v)}`);
    return { ...plan, newKeyLines: [`${indents.body}labels:`, ...lines], after: Object.fromEntries(wanted) };
  }
  if (isSeq(value)) {
    const items = wanted.map(([n, v]) => `${n}=${v}`);
    const appended = appendItems(file.text, value, items.map(yamlScalar));
    return { ...plan, appended, after: [...(Array.isArray(current) ? current : []), ...items] };
  }
  const appended = isMap(value)
    ? appendPairLines(file.text, value, (indent) => wanted.map(([n, v]) => `${indent}${n}: ${yamlScalar(v)}`))
    : undefined;
  if (!appended) {
    throw new ComposeInputError(
      'layout',
      `cannot rewrite ${file.label}: ${block.name}'s "labels" is neither a block mapping nor a list; write it as one`,
    );
  }
  return { ...plan, appended, after: { ...(isRecord(current) ? current : {}), ...Object.fromEntries(wanted) } };
}

/** The `labels` value once the labels `add` wrote are gone: no key where it wrote the key and nothing else is left. */
export function labelsWithout(labels: unknown, record: AddRecord): unknown {
  const ours = (name: string): boolean => record.addedLabels.includes(name);
  let rest: unknown = labels;
  let left = 0;
  if (isRecord(labels)) {
    const kept = Object.entries(labels).filter(([name]) => !ours(name));
    [rest, left] = [Object.fromEntries(kept), kept.length];
  } else if (Array.isArray(labels)) {
    const kept = labels.filter((item) => !ours(labelName(String(item))));
    [rest, left] = [kept, kept.length];
  }
  return record.createdLabels && left === 0 ? undefined : rest;
}

/** Edits taking out the labels `add` wrote, or a warning when they are not there as it wrote them. */
export function labelsRemoval(
  file: ComposeFile,
  block: ServiceBlock,
  record: AddRecord,
): { edits: LineEdit[]; warnings: string[] } {
  if (record.addedLabels.length === 0) return { edits: [], warnings: [] };
  const own = keyOf(block, 'labels');
  const edits = own && ourLabelEdits(file, own, record);
  if (edits) return { edits, warnings: [] };
  const names = record.addedLabels.join(', ');
  const warning = `${block.name} no longer has the labels ${names} as add wrote them; left as they are`;
  return { edits: [], warnings: [warning] };
}

/** Deletes the labels `add` wrote from `labels:`, the whole key where it wrote the key and only they are left. */
function ourLabelEdits(file: ComposeFile, own: KeySpan, record: AddRecord): LineEdit[] | undefined {
  const value = own.pair.value;
  const ours = (node: unknown): boolean => isScalar(node) && record.addedLabels.includes(labelName(String(node.value)));
  const whole = (found: number, total: number): boolean => record.createdLabels && found === total;
  if (isSeq(value)) {
    const found = value.items.flatMap((item, i) => (ours(item) ? [i] : []));
    if (found.length === 0) return undefined;
    return whole(found.length, value.items.length) ? [deleteKey(own)] : removeItems(file.text, value, found);
  }
  if (!isMap(value) || value.flow) return undefined;
  const found = value.items.flatMap((pair, i) => (ours(pair.key) ? [i] : []));
  if (found.length === 0) return undefined;
  return whole(found.length, value.items.length) ? [deleteKey(own)] : removeItems(file.text, value, found);
}
