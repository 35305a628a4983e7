import { isRecord } from '../compose/plain-values';
import type { ReplicasDocument, ReplicaView } from '../admin/views';
import { ComposeRunError } from './runtime-errors';

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

const COLUMNS: readonly [string, (r: ReplicaView) => string][] = [
  ['NAME', (r) => r.name],
  ['STATE', (r) => r.state],
  ['HEALTH', (r) => r.health],
  ['ADDRESS', (r) => r.address],
  ['IN-FLIGHT', (r) => String(r.inflight)],
  ['SERVED', (r) => String(r.served)],
];

/**
 * The replicas of one service as a table, replica 1 first, under a line saying
 * which balancer, which requests the service gets there (its route), how many
 * are ready, and how many are out of rotation by hand (`compose-lb drain`),
 * which would otherwise be easy to forget.
 */
export function replicasTable(doc: ReplicasDocument, balancer: string): string {
  const drained = doc.replicas.filter((r) => r.drained).length;
  const counts = `${doc.ready} of ${doc.replicas.length} ready${drained > 0 ? `, ${drained} drained by hand` : ''}`;
  const title = `${balancer} -> ${doc.service} [${doc.route}] (project ${doc.project}, ${doc.strategy}): ${counts}`;
  if (doc.replicas.length === 0) return `${title}\n  (no replicas)\n`;
  const rows = [...doc.replicas]
    .sort((a, b) => (a.number ?? Infinity) - (b.number ?? Infinity) || a.name.localeCompare(b.name))
    .map((r) => COLUMNS.map(([, cell]) => cell(r)));
  const table = [COLUMNS.map(([head]) => head), ...rows];
  const widths = COLUMNS.map((_, i) => Math.max(...table.map((row) => (row[i] ?? '').length)));
  const lines = table.map((row) =>
    row
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd(),
  );
  return `${title}\n${lines.join('\n')}\n`;
}
