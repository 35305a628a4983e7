import type { ReplicaStatus, ServiceStatus, StatusDocument } from '../admin/status-document';
import { inReplicaOrder } from './replicas-report';
import { textTable, type Column } from './text-table';

/**
 * `compose-lb status --watch`: in a terminal, what the balancer's status page
 * shows (src/admin/status-page.ts), from the same /status document. Pure: the
 * document in, the text out; times are the balancer's own (`at`), so the
 * frame says how long ago things happened there.
 */

/** How many of a service's recent events a frame shows, newest first. */
export const EVENTS_SHOWN = 5;

const COLUMNS: readonly Column<ReplicaStatus>[] = [
  { head: 'REPLICA', cell: (r) => r.name },
  { head: 'STATE', cell: (r) => r.state },
  { head: 'IN FLIGHT', cell: (r) => String(r.inflight), right: true },
  { head: 'REQ/S', cell: (r) => r.reqPerSec.toFixed(1), right: true },
  { head: 'ERRORS', cell: (r) => String(r.errors), right: true },
  { head: 'P50', cell: (r) => ms(r.p50), right: true },
  { head: 'P99', cell: (r) => ms(r.p99), right: true },
];

/**
 * One balancer's part of a frame: a line about the balancer and where its
 * replicas come from, then each service (only `service`, when given) with its
 * replicas and its last events.
 */
export function statusFrame(doc: StatusDocument, balancer: string, service?: string): string {
  const services = doc.services.filter((s) => service === undefined || s.service === service);
  const sections = services.map((s) => serviceSection(s, balancer, doc.at));
  return [headline(doc, balancer), ...sections].join('\n');
}

function headline(doc: StatusDocument, balancer: string): string {
  const from = doc.replicasFrom;
  const stale = from.connected ? '' : ` (unreachable for ${duration(from.since, doc.at)}: the last view it had)`;
  const at = new Date(doc.at).toISOString().replace(/\.\d+Z$/, 'Z');
  return `${balancer} (project ${doc.project}, ${doc.strategy}) at ${at}; replicas from ${from.source}${stale}\n`;
}

function serviceSection(s: ServiceStatus, balancer: string, now: number): string {
  const held = s.held > 0 ? `, ${s.held} held` : '';
  const title = `${balancer} -> ${s.service} [${s.route}]: ${s.ready} of ${s.replicas.length} ready${held}`;
  const table = s.replicas.length === 0 ? ['(no replicas)'] : textTable(COLUMNS, inReplicaOrder(s.replicas));
  const events = s.events.slice(0, EVENTS_SHOWN).map((e) => [ago(e.at, now), `${e.replica} ${e.event}: ${e.why}`]);
  const when = Math.max(0, ...events.map(([at]) => at?.length ?? 0));
  const recent = events.map(([at = '', what]) => `    ${at.padEnd(when)}  ${what}`);
  const lines = [title, ...table.map((l) => `  ${l}`), ...(recent.length > 0 ? ['  recent:', ...recent] : [])];
  return `${lines.join('\n')}\n`;
}

/** A latency as the status page writes it. */
function ms(value: number | null): string {
  if (value === null) return '-';
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ms`;
}

function ago(at: number, now: number): string {
  return `${duration(at, now)} ago`;
}

function duration(from: number, to: number): string {
  const s = Math.max(0, Math.round((to - from) / 1000));
  return s < 60 ? `${s} s` : `${Math.round(s / 60)} min`;
}
