/** Seconds the window covers: the status page's "last minute". */
const WINDOW_S = 60;
/**
 * Latency buckets: bucket i holds times up to 2^(i/4) ms (four per doubling,
 * within 19 % of the true value), from 1 ms to about 70 s.
 */
const BUCKETS = 65;
const upper = (i: number): number => 2 ** (i / 4);

/** One second's counts. */
class Second {
  at = -1;
  requests = 0;
  errors = 0;
  readonly latency = new Uint32Array(BUCKETS);

  reset(at: number): void {
    this.at = at;
    this.requests = 0;
    this.errors = 0;
    this.latency.fill(0);
  }
}

export interface StatsView {
  /** Requests per second over the window (or since the first request, when that is shorter). */
  readonly reqPerSec: number;
  readonly errors: number;
  /** Milliseconds; null with no request in the window. */
  readonly p50: number | null;
  readonly p99: number | null;
}

/**
 * A replica's last minute, for the status page: requests, errors and a latency
 * histogram per second, in a ring of 60. Recording is a few array writes, so
 * it can sit on the request path.
 */
export class ReplicaStats {
  private readonly ring = Array.from({ length: WINDOW_S }, () => new Second());
  private first = -1;

  /** A request finished at `nowMs` (epoch), after `ms`; `failed`: the replica did not answer it well. */
  record(nowMs: number, ms: number, failed: boolean): void {
    const second = Math.floor(nowMs / 1000);
    const slot = this.ring[second % WINDOW_S] as Second;
    if (slot.at !== second) slot.reset(second);
    if (this.first === -1) this.first = second;
    slot.requests++;
    if (failed) slot.errors++;
    slot.latency[Math.min(BUCKETS - 1, Math.max(0, Math.ceil(4 * Math.log2(Math.max(ms, 1)))))]! += 1;
  }

  view(nowMs: number): StatsView {
    const now = Math.floor(nowMs / 1000);
    const merged = new Uint32Array(BUCKETS);
    let requests = 0;
    let errors = 0;
    for (const slot of this.ring) {
      // The current second is still filling: it is left out of the rate, not of the counts.
      if (slot.at <= now - WINDOW_S || slot.at > now) continue;
      requests += slot.requests;
      errors += slot.errors;
      for (let i = 0; i < BUCKETS; i++) merged[i]! += slot.latency[i]!;
    }
    const seconds = this.first === -1 ? 1 : Math.max(1, Math.min(WINDOW_S, now - this.first + 1));
    return {
      reqPerSec: Math.round((requests / seconds) * 10) / 10,
      errors,
      p50: quantile(merged, requests, 0.5),
      p99: quantile(merged, requests, 0.99),
    };
  }
}

function quantile(buckets: Uint32Array, total: number, q: number): number | null {
  if (total === 0) return null;
  const rank = Math.ceil(q * total);
  let seen = 0;
  for (let i = 0; i < BUCKETS; i++) {
    seen += buckets[i] as number;
    if (seen >= rank) return Math.round(upper(i) * 10) / 10;
  }
  return Math.round(upper(BUCKETS - 1));
}
