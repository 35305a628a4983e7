import type { PhaseResult } from '../load/phase-recorder';

/** The phases of the slow-replica runs, as the load marks them. */
export const PHASES = { steady: 'one replica slow throughout', before: 'all fast', slow: 'one replica slow', after: 'recovered' } as const;

/** One target in one stretch of the slow-replica scenario. */
export interface SlowReplicaRow {
  readonly target: string;
  /** `steady`: one replica slow all along; `changing`: it turns slow halfway through, then recovers. */
  readonly run: 'steady' | 'changing';
  readonly phase: string;
  readonly durationSec: number;
  readonly reqPerSec: number;
  readonly p50Us: number;
  readonly p99Us: number;
  /** Share of the responses each replica sent (0-1), by X-Replica; replicas that sent none included. */
  readonly shares: Readonly<Record<string, number>>;
  /** The slow replica's share (its fair share is 1 / replicas). */
  readonly slowShare: number;
  readonly failures: number;
  readonly othersCpuPct: number;
}

/** Pure: a phase of a load run -> its row; `replicaIds` are the X-Replica values, `slowId` among them. */
export function slowReplicaRow(
  target: string,
  run: SlowReplicaRow['run'],
  phase: PhaseResult,
  replicaIds: readonly string[],
  slowId: string,
  othersCpuPct: number,
): SlowReplicaRow {
  const counted = Object.values(phase.replicas).reduce((a, b) => a + b, 0);
  const shares: Record<string, number> = {};
  for (const id of new Set([...replicaIds, ...Object.keys(phase.replicas)])) {
    shares[id] = counted === 0 ? 0 : (phase.replicas[id] ?? 0) / counted;
  }
  return {
    target,
    run,
    phase: phase.name,
    durationSec: phase.durationSec,
    reqPerSec: phase.durationSec > 0 ? phase.responses / phase.durationSec : 0,
    p50Us: phase.latency.p50Us,
    p99Us: phase.latency.p99Us,
    shares,
    slowShare: shares[slowId] ?? 0,
    failures: phase.non2xx + phase.errors + phase.timeouts,
    othersCpuPct,
  };
}

/**
 * Pure: the compose-lb strategy with the lowest p99 in the steady run, beside
 * HAProxy leastconn's, for the goals: is the best of compose-lb at least as good
 * as HAProxy's answer to a slow replica, and does it spare that replica?
 */
export function bestStrategy(rows: readonly SlowReplicaRow[], haproxyId: string): { best: SlowReplicaRow | undefined; haproxy: SlowReplicaRow | undefined } {
  const steady = rows.filter((r) => r.run === 'steady');
  const best = steady.filter((r) => r.target.startsWith('compose-lb')).sort((a, b) => a.p99Us - b.p99Us)[0];
  return { best, haproxy: steady.find((r) => r.target === haproxyId) };
}
