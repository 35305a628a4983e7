import type { ReplicasDocument, ReplicaView } from '../proxy/admin-server';
import { ComposeRunError } from './compose-errors';
import { isRecord } from './plain-values';

/** Reads the balancer's /replicas answer; a shape check, enough to print and count it safely. */
export function parseReplicasDocument(text: string): ReplicasDocument {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new ComposeRunError(`the balancer's /replicas answer is not JSON: ${text.slice(0, 80)}`, { cause: err });
  }
  const ok =
    isRecord(doc) &&
    typeof doc['service'] === 'string' &&
    typeof doc['ready'] === 'number' &&
    Array.isArray(doc['replicas']) &&
    doc['replicas'].every((r) => isRecord(r) && typeof r['name'] === 'string' && typeof r['state'] === 'string');
  if (!ok) throw new ComposeRunError(`the balancer's /replicas answer has an unexpected shape: ${text.slice(0, 80)}`);
  return doc as unknown as ReplicasDocument;
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

/** The replicas as a table, replica 1 first, under a line saying which balancer and how many are ready. */
export function replicasTable(doc: ReplicasDocument, balancer: string): string {
  const title = `${balancer} -> ${doc.service} (project ${doc.project}, ${doc.strategy}): ${doc.ready} of ${doc.replicas.length} ready`;
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
