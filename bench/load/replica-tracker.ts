import type { ReplicaTally } from './load-types';

interface MutableTally {
  count: number;
  firstSentAt: number;
  firstDoneAt: number;
}

/** Counts responses per replica (from X-Replica) and when each replica first answered. */
export class ReplicaTracker {
  private readonly byReplica = new Map<string, MutableTally>();

  record(replica: string, doneAt: number, durationMs: number): void {
    const tally = this.byReplica.get(replica);
    if (tally !== undefined) {
      tally.count++;
      return;
    }
    this.byReplica.set(replica, { count: 1, firstSentAt: doneAt - durationMs, firstDoneAt: doneAt });
  }

  tallies(): Record<string, ReplicaTally> {
    return Object.fromEntries([...this.byReplica].map(([name, t]) => [name, { ...t }]));
  }
}

/**
 * The X-Replica value from autocannon's `headers` event: the raw parser info,
 * whose `headers` is a flat [name, value, name, value...] list in the case the
 * server sent (compose-lb and HAProxy may differ), not the object its typings claim.
 */
export function replicaFromParserInfo(info: unknown): string | undefined {
  const headers = (info as { headers?: unknown } | undefined)?.headers;
  if (!Array.isArray(headers)) return undefined;
  for (let i = 0; i + 1 < headers.length; i += 2) {
    const name: unknown = headers[i];
    if (typeof name === 'string' && name.toLowerCase() === 'x-replica') {
      const value: unknown = headers[i + 1];
      return typeof value === 'string' ? value : undefined;
    }
  }
  return undefined;
}
