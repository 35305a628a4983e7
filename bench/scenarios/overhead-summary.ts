import type { ProcessUsage } from '../host/proc-stat';
import { median, ratio } from '../stats';
import { haproxyPeerOf, REFERENCE_IDS, type NamedTarget } from '../targets';

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
  readonly proxy: ProcessUsage | undefined;
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
  /** The part of it spent in the kernel (system calls, and the loopback and veth delivery they do). */
  readonly proxySysUsPerReq: number | undefined;
  /** Context switches of the proxy (all its threads) per request. */
  readonly voluntaryPerReq: number | undefined;
  readonly involuntaryPerReq: number | undefined;
  readonly replicaUsPerReq: number;
  /**
   * The proxy's CPU per request over the replica's in the same run, median of
   * the rounds. The replica does the same work for every target, so its cost is
   * a yardstick of how fast the machine was in that run: this ratio holds where
   * a slow stretch of the machine (a noisy neighbour on the host, invisible to
   * "others' CPU") moves both.
   */
  readonly proxyPerReplicaCpu: number | undefined;
  /** Share of CPU 0 the load generator used; near 100 % means it, not the target, set the pace. */
  readonly loadCpuPct: number;
  readonly failures: number;
  /** The most any round saw processes outside the bench use: figures from a busy machine are suspect. */
  readonly othersCpuPct: number;
  readonly vsDirect: number | undefined;
  /** Against the HAProxy that does the same work (mode http, or mode tcp for a TCP target). */
  readonly vsHaproxy: number | undefined;
  readonly vsPlain: number | undefined;
  readonly vsUndici: number | undefined;
  readonly p99VsHaproxy: number | undefined;
}

/** Round `round` runs the targets rotated by `round` places, so no target always goes first (or last). */
export function interleave<T>(items: readonly T[], round: number): T[] {
  const shift = items.length === 0 ? 0 : round % items.length;
  return [...items.slice(shift), ...items.slice(0, shift)];
}

export const perRequest = (amount: number | undefined, requests: number): number | undefined =>
  amount === undefined || requests === 0 ? undefined : amount / requests;

function medianOf(values: readonly (number | undefined)[]): number | undefined {
  const present = values.filter((v): v is number => v !== undefined);
  return present.length === 0 ? undefined : median(present);
}

/** The median over rounds of a per-request figure of the proxy. */
function proxyMedian(runs: readonly OverheadRun[], pick: (usage: ProcessUsage) => number): number | undefined {
  return medianOf(runs.map((r) => perRequest(r.proxy === undefined ? undefined : pick(r.proxy), r.requests)));
}

/** `target`'s req/s over `reference`'s, round by round (rounds where both ran). */
export function roundRatios(runs: readonly OverheadRun[], target: string, reference: string): number[] {
  const ratios: number[] = [];
  for (const run of runs) {
    if (run.target !== target) continue;
    const peer = runs.find((r) => r.target === reference && r.round === run.round);
    const value = ratio(run.reqPerSec, peer?.reqPerSec);
    if (value !== undefined) ratios.push(value);
  }
  return ratios;
}

export function summarizeOverhead(targets: readonly NamedTarget[], runs: readonly OverheadRun[]): OverheadRow[] {
  const rows = targets.map((target) => {
    const mine = runs.filter((r) => r.target === target.id);
    return {
      target: target.id,
      label: target.label,
      peer: haproxyPeerOf(target),
      reqPerSec: median(mine.map((r) => r.reqPerSec)),
      p50Us: median(mine.map((r) => r.p50Us)),
      p99Us: median(mine.map((r) => r.p99Us)),
      proxyUsPerReq: proxyMedian(mine, (u) => (u.userMs + u.systemMs) * 1000),
      proxySysUsPerReq: proxyMedian(mine, (u) => u.systemMs * 1000),
      voluntaryPerReq: proxyMedian(mine, (u) => u.voluntary),
      involuntaryPerReq: proxyMedian(mine, (u) => u.involuntary),
      replicaUsPerReq: medianOf(mine.map((r) => perRequest(r.replicaCpuMs * 1000, r.requests))) ?? Number.NaN,
      proxyPerReplicaCpu: medianOf(mine.map((r) => (r.proxy === undefined ? undefined : ratio(r.proxy.userMs + r.proxy.systemMs, r.replicaCpuMs)))),
      loadCpuPct: median(mine.map((r) => (r.durationSec > 0 ? r.loadCpuMs / (r.durationSec * 10) : 0))),
      failures: mine.reduce((n, r) => n + r.non2xx + r.errors + r.timeouts, 0),
      othersCpuPct: Math.max(0, ...mine.map((r) => r.othersCpuPct)),
    };
  });
  const reqPerSecOf = (id: string): number | undefined => rows.find((r) => r.target === id)?.reqPerSec;
  const p99Of = (id: string): number | undefined => rows.find((r) => r.target === id)?.p99Us;
  return rows.map(({ peer, ...row }) => ({
    ...row,
    vsDirect: ratio(row.reqPerSec, reqPerSecOf(REFERENCE_IDS.direct)),
    vsHaproxy: ratio(row.reqPerSec, reqPerSecOf(peer)),
    vsPlain: ratio(row.reqPerSec, reqPerSecOf(REFERENCE_IDS.plain)),
    vsUndici: ratio(row.reqPerSec, reqPerSecOf(REFERENCE_IDS.undici)),
    p99VsHaproxy: ratio(row.p99Us, p99Of(peer)),
  }));
}
