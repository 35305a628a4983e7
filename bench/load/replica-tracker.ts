import type { ReplicaTally } from './load-types';

/** Counts responses per replica (from X-Replica). */
export class ReplicaTracker {
  private readonly byReplica = new Map<string, number>();

  record(replica: string): void {
    this.byReplica.set(replica, (this.byReplica.get(replica) ?? 0) + 1);
  }

  tallies(): Record<string, ReplicaTally> {
    return Object.fromEntries([...this.byReplica].map(([name, count]) => [name, { count }]));
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
