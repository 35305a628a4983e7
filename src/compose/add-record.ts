import type { ServiceConfig } from './compose-file';
import { isRecord, scalarList } from './plain-values';
import type { Indents } from './service-block';
import { yamlScalar } from './yaml-text';

/**
 * What `add` changed in one balanced service, kept in the balancer service as
 * an `x-` extension field so `remove` can undo exactly that. Compose ignores
 * `x-` keys inside a service: checked with `docker-compose config` (v1.29, files
 * with version "2.4", "3.8" and none) and `docker compose config` (v2).
 * Where things go back is marked in the service itself (see markers.ts).
 */
export interface AddRecord {
  readonly service: string;
  /** Its `ports:` moved to the balancer; a marker comment holds their place. */
  readonly movedPorts: boolean;
  /** Its `ports:` are commented out in place: it is a route of a balancer that publishes its own. */
  readonly commentedOutPorts: boolean;
  /** Its `expose:` key was written by add (remove deletes the key). */
  readonly createdExpose: boolean;
  /** This item was appended to its existing `expose:` (remove deletes the item). */
  readonly appendedExpose: string | undefined;
  /** Its `container_name:` was commented out in place. */
  readonly commentedContainerName: boolean;
  /** Its `labels:` key was written by add. */
  readonly createdLabels: boolean;
  /** The routing labels add wrote (compose-lb.host, ...); remove deletes them. */
  readonly addedLabels: readonly string[];
  /** The balancer's `depends_on` got an item for it (a route; the balancer's own service is written with it). */
  readonly appendedDependsOn: boolean;
  /** Its `deploy:` key was written by add (--swarm; remove deletes it once nothing else is in it). */
  readonly createdDeploy: boolean;
  /** add wrote its `deploy.replicas` (--swarm; remove deletes it). */
  readonly addedReplicas: boolean;
}

/**
 * What a balancer that reads its replicas from compose-lb-discovery (the only
 * service with the Docker socket) had `add` write beside it, shared with the
 * file's other such balancers: it goes with the last of them, so a balancer
 * that stays takes this over from one that goes.
 */
export interface DiscoveryRecord {
  /** The compose-lb-discovery service. */
  readonly createdService: boolean;
  /** The `compose-lb` entry of the top-level `networks:`. */
  readonly createdNetwork: boolean;
  /** The top-level `networks:` key itself (remove deletes it once nothing else is in it). */
  readonly createdNetworksKey: boolean;
  /** Written for `docker stack deploy` (--swarm): the whole file's compose-lb services are, or none. */
  readonly swarm: boolean;
}

/**
 * A balancer's record: the service `add` wrote it for, then the services `add`
 * routed through it later, in order. The first is undefined once `remove` took
 * it out while routes stayed. A record from before routes is a `first` alone.
 */
export interface BalancerRecord {
  readonly first: AddRecord | undefined;
  readonly routes: readonly AddRecord[];
  /** Undefined for a balancer with the socket itself (--socket direct, or a record from before discovery). */
  readonly discovery: DiscoveryRecord | undefined;
}

export const RECORD_KEY = 'x-compose-lb';

const FIELDS = {
  service: 'service',
  movedPorts: 'moved-ports',
  commentedOutPorts: 'commented-out-ports',
  createdExpose: 'created-expose',
  appendedExpose: 'appended-expose',
  commentedContainerName: 'commented-out-container-name',
  createdLabels: 'created-labels',
  addedLabels: 'added-labels',
  appendedDependsOn: 'appended-depends-on',
  createdDeploy: 'created-deploy',
  addedReplicas: 'added-replicas',
} as const;

const ROUTES = 'routes';

/**
 * `socket: discovery` marks a balancer of the split layout, `platform: swarm`
 * one written for Swarm; the other fields say what it holds for the file.
 */
const SOCKET = 'socket';
const PLATFORM = 'platform';
const DISCOVERY_FIELDS = {
  createdService: 'created-discovery',
  createdNetwork: 'created-network',
  createdNetworksKey: 'created-networks-key',
} as const;

/** Every service the record holds, its first one first. */
export function recordEntries(record: BalancerRecord): AddRecord[] {
  return [...(record.first ? [record.first] : []), ...record.routes];
}

export function recordLines(record: BalancerRecord, indents: Indents): string[] {
  const names = recordEntries(record).map((e) => e.service);
  const why =
    names.length === 1
      ? `# what \`compose-lb add\` changed in ${names.join('')}; \`compose-lb remove ${names.join('')}\` undoes it`
      : `# what \`compose-lb add\` changed in ${names.join(', ')}; \`compose-lb remove SERVICE\` undoes it for one`;
  const lines = [`${indents.body}${RECORD_KEY}: ${why}`];
  if (record.first) lines.push(...entryLines(record.first, indents.nested, indents.nested));
  if (record.discovery) lines.push(...discoveryLines(record.discovery, indents.nested));
  if (record.routes.length > 0) {
    // Route entries are list items, indented past `routes:` as the file indents its lists.
    const dash = `${indents.nested}${' '.repeat(indents.item.length - indents.body.length)}`;
    lines.push(`${indents.nested}${ROUTES}:`);
    for (const route of record.routes) lines.push(...entryLines(route, `${dash}- `, `${dash}  `));
  }
  return lines;
}

/** The entry's fields, the first line starting with `head` and the others with `indent`. */
function entryLines(record: AddRecord, head: string, indent: string): string[] {
  const lines = [`${head}${FIELDS.service}: ${yamlScalar(record.service)}`];
  const field = (key: keyof typeof FIELDS, value: string | undefined): void => {
    if (value !== undefined) lines.push(`${indent}${FIELDS[key]}: ${value}`);
  };
  const flag = (on: boolean): string | undefined => (on ? 'true' : undefined);
  const { appendedExpose, addedLabels } = record;
  const labels = addedLabels.map((l) => JSON.stringify(l)).join(', ');
  field('movedPorts', flag(record.movedPorts));
  field('commentedOutPorts', flag(record.commentedOutPorts));
  field('createdExpose', flag(record.createdExpose));
  field('appendedExpose', appendedExpose === undefined ? undefined : JSON.stringify(appendedExpose));
  field('commentedContainerName', flag(record.commentedContainerName));
  field('createdLabels', flag(record.createdLabels));
  field('addedLabels', addedLabels.length === 0 ? undefined : `[${labels}]`);
  field('appendedDependsOn', flag(record.appendedDependsOn));
  field('createdDeploy', flag(record.createdDeploy));
  field('addedReplicas', flag(record.addedReplicas));
  return lines;
}

function discoveryLines(record: DiscoveryRecord, indent: string): string[] {
  const fields = (Object.keys(DISCOVERY_FIELDS) as (keyof typeof DISCOVERY_FIELDS)[]).filter((key) => record[key]);
  return [
    `${indent}${SOCKET}: discovery`,
    ...(record.swarm ? [`${indent}${PLATFORM}: swarm`] : []),
    ...fields.map((key) => `${indent}${DISCOVERY_FIELDS[key]}: true`),
  ];
}

/** The record of a balancer service, or undefined when it has none (not added by `compose-lb add`). */
export function readRecord(balancer: ServiceConfig): BalancerRecord | undefined {
  const raw = balancer[RECORD_KEY];
  if (!isRecord(raw)) return undefined;
  const listed = Array.isArray(raw[ROUTES]) ? (raw[ROUTES] as unknown[]) : [];
  const routes = listed.flatMap((r) => {
    const entry = isRecord(r) ? readEntry(r) : undefined;
    return entry ? [entry] : [];
  });
  const first = readEntry(raw);
  return first || routes.length > 0 ? { first, routes, discovery: readDiscovery(raw) } : undefined;
}

function readDiscovery(raw: Record<string, unknown>): DiscoveryRecord | undefined {
  if (raw[SOCKET] !== 'discovery') return undefined;
  const flag = (key: keyof typeof DISCOVERY_FIELDS): boolean => isTrue(raw[DISCOVERY_FIELDS[key]]);
  return {
    createdService: flag('createdService'),
    createdNetwork: flag('createdNetwork'),
    createdNetworksKey: flag('createdNetworksKey'),
    swarm: raw[PLATFORM] === 'swarm',
  };
}

/** A flag as written (`true`), or quoted by someone who edited the record. */
function isTrue(value: unknown): boolean {
  return value === true || value === 'true';
}

function readEntry(raw: Record<string, unknown>): AddRecord | undefined {
  const service = raw[FIELDS.service];
  if (typeof service !== 'string') return undefined;
  const flag = (key: string): boolean => isTrue(raw[key]);
  const appended = raw[FIELDS.appendedExpose];
  return {
    service,
    movedPorts: flag(FIELDS.movedPorts),
    commentedOutPorts: flag(FIELDS.commentedOutPorts),
    createdExpose: flag(FIELDS.createdExpose),
    appendedExpose: typeof appended === 'string' || typeof appended === 'number' ? String(appended) : undefined,
    commentedContainerName: flag(FIELDS.commentedContainerName),
    createdLabels: flag(FIELDS.createdLabels),
    addedLabels: scalarList(raw[FIELDS.addedLabels]),
    appendedDependsOn: flag(FIELDS.appendedDependsOn),
    createdDeploy: flag(FIELDS.createdDeploy),
    addedReplicas: flag(FIELDS.addedReplicas),
  };
}
