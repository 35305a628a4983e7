import { isRecord } from '../compose/plain-values';
import type { StatusDocument } from '../admin/status-document';
import type { ReplicasDocument, ReplicaView } from '../admin/views';
import { ComposeRunError } from './runtime-errors';
import { textTable, type Column } from './text-table';

/** What POST /replicas/REF/drain (or undrain) answers. */
export interface DrainAnswer {
  readonly changed: boolean;
  readonly replica: ReplicaView;
}

/** What GET /services answers: every service of the balancer (src/admin/admin-server.ts). */
export interface ServicesDocument {
  readonly project: string;
  readonly services: readonly ReplicasDocument[];
}

/** Reads the balancer's /replicas answer; a shape check, enough to print and count it safely. */
export function parseReplicasDocument(text: string): ReplicasDocument {
  const doc = parseAnswer(text, '/replicas');
  if (!isReplicasDocument(doc)) unexpected('/replicas', text);
  return doc as unknown as ReplicasDocument;
}

/** Reads the balancer's /services answer, each service checked as /replicas answers are. */
export function parseServicesDocument(text: string): ServicesDocument {
  const doc = parseAnswer(text, '/services');
  const services = doc['services'];
  if (typeof doc['project'] !== 'string' || !Array.isArray(services) || !services.every(isReplicasDocument)) {
    unexpected('/services', text);
  }
  return doc as unknown as ServicesDocument;
}

function isReplicasDocument(doc: unknown): boolean {
  return (
    isRecord(doc) &&
    typeof doc['service'] === 'string' &&
    typeof doc['route'] === 'string' &&
    typeof doc['ready'] === 'number' &&
    Array.isArray(doc['replicas']) &&
    doc['replicas'].every(isReplicaView)
  );
}

function unexpected(what: string, text: string): never {
  throw new ComposeRunError(`the balancer's ${what} answer has an unexpected shape: ${text.slice(0, 80)}`);
}

/** Reads the balancer's /status answer (what its status page shows): each part checked before it is drawn. */
export function parseStatusDocument(text: string): StatusDocument {
  const doc = parseAnswer(text, '/status');
  const from = doc['replicasFrom'];
  const services = doc['services'];
  const feedOk =
    isRecord(from) &&
    typeof from['source'] === 'string' &&
    typeof from['connected'] === 'boolean' &&
    typeof from['since'] === 'number';
  const ok =
    typeof doc['at'] === 'number' &&
    typeof doc['project'] === 'string' &&
    typeof doc['strategy'] === 'string' &&
    feedOk &&
    Array.isArray(services) &&
    services.every(isServiceStatus);
  if (!ok) unexpected('/status', text);
  return doc as unknown as StatusDocument;
}

function isServiceStatus(s: unknown): boolean {
  const latency = (v: unknown): boolean => v === null || typeof v === 'number';
  const isReplica = (r: unknown): boolean =>
    isReplicaView(r) &&
    isRecord(r) &&
    typeof r['reqPerSec'] === 'number' &&
    typeof r['errors'] === 'number' &&
    latency(r['p50']) &&
    latency(r['p99']);
  const isEvent = (e: unknown): boolean =>
    isRecord(e) && typeof e['at'] === 'number' && ['replica', 'event', 'why'].every((k) => typeof e[k] === 'string');
  return (
    isRecord(s) &&
    typeof s['service'] === 'string' &&
    typeof s['route'] === 'string' &&
    typeof s['ready'] === 'number' &&
    typeof s['held'] === 'number' &&
    Array.isArray(s['replicas']) &&
    s['replicas'].every(isReplica) &&
    Array.isArray(s['events']) &&
    s['events'].every(isEvent)
  );
}

/** Reads the balancer's answer to a drain or undrain. */
export function parseDrainAnswer(text: string): DrainAnswer {
  const answer = parseAnswer(text, 'drain');
  if (typeof answer['changed'] !== 'boolean' || !isReplicaView(answer['replica'])) unexpected('drain', text);
  return answer as unknown as DrainAnswer;
}

/** The `error` of a refusal the balancer explains (404, 409), if the text is one. */
export function balancerError(text: string): string | undefined {
  try {
    const body: unknown = JSON.parse(text);
    return isRecord(body) && typeof body['error'] === 'string' ? body['error'] : undefined;
  } catch {
    return undefined;
  }
}

function parseAnswer(text: string, what: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ComposeRunError(`the balancer's ${what} answer is not JSON: ${text.slice(0, 80)}`, { cause: err });
  }
  if (!isRecord(parsed)) throw new ComposeRunError(`the balancer's ${what} answer is not an object: ${text.slice(0, 80)}`);
  return parsed;
}

function isReplicaView(r: unknown): boolean {
  return (
    isRecord(r) &&
    typeof r['id'] === 'string' &&
    typeof r['name'] === 'string' &&
    typeof r['state'] === 'string' &&
    typeof r['inflight'] === 'number'
  );
}

/** One line per drain or undrain: `demo-web-2: drained (3 requests in flight finish first)`. */
export function drainLine(answer: DrainAnswer, drain: boolean): string {
  const { name, inflight, state } = answer.replica;
  if (!drain) return `${name}: ${answer.changed ? 'back in rotation' : `was not drained (${state})`}`;
  if (!answer.changed) return `${name}: already drained`;
  if (inflight === 0) return `${name}: drained (no requests in flight)`;
  return `${name}: drained (${inflight} ${inflight === 1 ? 'request in flight finishes' : 'requests in flight finish'} first)`;
}

/** One line of progress: `web: 2 of 3 ready (1 starting: demo-web-3)`. */
export function progressLine(doc: ReplicasDocument, want: number): string {
  const waiting = new Map<string, string[]>();
  for (const r of doc.replicas) {
    if (r.state !== 'ready') waiting.set(r.state, [...(waiting.get(r.state) ?? []), r.name]);
  }
  const details = [...waiting].map(([state, names]) => {
    const shown = names.length > 3 ? `${names.slice(0, 3).join(', ')}, ...` : names.join(', ');
    return `${names.length} ${state}: ${shown}`;
  });
  return `${doc.service}: ${doc.ready} of ${want} ready${details.length > 0 ? ` (${details.join('; ')})` : ''}`;
}

const COLUMNS: readonly Column<ReplicaView>[] = [
  { head: 'NAME', cell: (r) => r.name },
  { head: 'STATE', cell: (r) => r.state },
  { head: 'HEALTH', cell: (r) => r.health },
  { head: 'ADDRESS', cell: (r) => r.address },
  { head: 'IN-FLIGHT', cell: (r) => String(r.inflight) },
  { head: 'SERVED', cell: (r) => String(r.served) },
];

/** Replica 1 first, as Compose numbers them; those without a number last, by name. */
export function inReplicaOrder<T extends ReplicaView>(replicas: readonly T[]): T[] {
  return [...replicas].sort((a, b) => (a.number ?? Infinity) - (b.number ?? Infinity) || a.name.localeCompare(b.name));
}

/**
 * The replicas of one service as a table, replica 1 first, under a line saying
 * which balancer, which requests the service gets there (its route), how many
 * are ready, and how many are out of rotation by hand (`compose-lb drain`),
 * which would otherwise be easy to forget.
 */
export function replicasTable(doc: ReplicasDocument, balancer: string): string {
  const title = replicasTitle(doc, balancer, `project ${doc.project}`);
  if (doc.replicas.length === 0) return `${title}\n  (no replicas)\n`;
  return `${title}\n${textTable(COLUMNS, inReplicaOrder(doc.replicas)).join('\n')}\n`;
}

/** `web-lb -> web [default route] (WHERE, round-robin): 2 of 3 ready, 1 drained by hand`. */
export function replicasTitle(doc: ReplicasDocument, balancer: string, where: string): string {
  const drained = doc.replicas.filter((r) => r.drained).length;
  const counts = `${doc.ready} of ${doc.replicas.length} ready${drained > 0 ? `, ${drained} drained by hand` : ''}`;
  return `${balancer} -> ${doc.service} [${doc.route}] (${where}, ${doc.strategy}): ${counts}`;
}
