import { median, ratio } from '../stats';
import { REFERENCE_IDS, type Target } from '../targets';

/** One target's run in one round. CPU figures are milliseconds over the run. */
export interface OverheadRun {
  readonly round: number;
  readonly target: string;
  readonly requests: number;
  readonly durationSec: number;
  readonly reqPerSec: number;
  readonly p50Us: number;
  readonly p99Us: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  /** The proxy process; absent for the direct target. */
  readonly proxyCpuMs: number | undefined;
  readonly replicaCpuMs: number;
  readonly loadCpuMs: number;
  /** CPU that processes outside the bench used meanwhile, as a share of one CPU (see QuietCheck). */
  readonly othersCpuPct: number;
  readonly othersBy: string;
}

/** Medians over the rounds, and ratios between the medians. */
export interface OverheadRow {
  readonly target: string;
  readonly label: string;
  readonly reqPerSec: number;
  readonly p50Us: number;
  readonly p99Us: number;
  /** CPU per request: much less noisy than req/s on a shared machine, and it explains the ratios. */
  readonly proxyUsPerReq: number | undefined;
  readonly replicaUsPerReq: number;
  /** Share of CPU 0 the load generator used; near 100 % means it, not the target, set the pace. */
  readonly loadCpuPct: number;
  readonly failures: number;
  /** The most any round saw processes outside the bench use: figures from a busy machine are suspect. */
  readonly othersCpuPct: number;
  readonly vsDirect: number | undefined;
  readonly vsHaproxy: number | undefined;
  readonly vsPlain: number | undefined;
  readonly p99VsHaproxy: number | undefined;
}

/** Round `round` runs the targets rotated by `round` places, so no target always goes first (or last). */
export function interleave<T>(items: readonly T[], round: number): T[] {
  const shift = items.length === 0 ? 0 : round % items.length;
  return [...items.slice(shift), ...items.slice(0, shift)];
}

const perRequestUs = (ms: number | undefined, requests: number): number | undefined =>
  ms === undefined || requests === 0 ? undefined : (ms * 1000) / requests;

function medianOf(values: readonly (number | undefined)[]): number | undefined {
  const present = values.filter((v): v is number => v !== undefined);
  return present.length === 0 ? undefined : median(present);
}

export function summarizeOverhead(targets: readonly Target[], runs: readonly OverheadRun[]): OverheadRow[] {
  const rows = targets.map((target) => {
    const mine = runs.filter((r) => r.target === target.id);
    return {
      target: target.id,
      label: target.label,
      reqPerSec: median(mine.map((r) => r.reqPerSec)),
      p50Us: median(mine.map((r) => r.p50Us)),
      p99Us: median(mine.map((r) => r.p99Us)),
      proxyUsPerReq: medianOf(mine.map((r) => perRequestUs(r.proxyCpuMs, r.requests))),
      replicaUsPerReq: medianOf(mine.map((r) => perRequestUs(r.replicaCpuMs, r.requests))) ?? Number.NaN,
      loadCpuPct: median(mine.map((r) => (r.durationSec > 0 ? r.loadCpuMs / (r.durationSec * 10) : 0))),
      failures: mine.reduce((n, r) => n + r.non2xx + r.errors + r.timeouts, 0),
      othersCpuPct: Math.max(0, ...mine.map((r) => r.othersCpuPct)),
    };
  });
  const find = (id: string): (typeof rows)[number] | undefined => rows.find((r) => r.target === id);
  const direct = find(REFERENCE_IDS.direct);
  const haproxy = find(REFERENCE_IDS.haproxy);
  const plain = find(REFERENCE_IDS.plain);
  return rows.map((row) => ({
    ...row,
    vsDirect: ratio(row.reqPerSec, direct?.reqPerSec),
    vsHaproxy: ratio(row.reqPerSec, haproxy?.reqPerSec),
    vsPlain: ratio(row.reqPerSec, plain?.reqPerSec),
    p99VsHaproxy: ratio(row.p99Us, haproxy?.p99Us),
  }));
}
