import type { Disturbance } from '../host/quiet-check';
import type { LoadResult } from '../load/load-types';

export interface ScalingPoint {
  readonly target: string;
  readonly replicas: number;
  readonly connections: number;
  readonly reqPerSec: number;
  /** 1000 / delay per replica: a serial replica serves one request per delay. */
  readonly ideal: number;
  readonly ofIdeal: number;
  readonly p50Us: number;
  readonly p99Us: number;
  /** The latency a perfect balancer would give at these connections (Little's law: connections / ideal). */
  readonly queueFloorUs: number;
  readonly failures: number;
  /** Responses per replica (by X-Replica), replicas that served none included. */
  readonly perReplica: Readonly<Record<string, number>>;
  /** Least and most served replica, as a multiple of a fair share (1 = exactly total / N). */
  readonly shareMin: number;
  readonly shareMax: number;
  /** CPU that processes outside the bench used during the run, as a share of one CPU. */
  readonly othersCpuPct: number;
  readonly othersBy: string;
}

/** Pure: one run at N replicas -> its figures. `replicaIds` are the X-Replica values of the N replicas. */
export function scalingPoint(
  target: string,
  replicaIds: readonly string[],
  connections: number,
  delayMs: number,
  load: LoadResult,
  others: Disturbance = { pctOfCpu: 0, by: '' },
): ScalingPoint {
  const n = replicaIds.length;
  const ideal = (n * 1000) / delayMs;
  const perReplica: Record<string, number> = {};
  for (const id of replicaIds) perReplica[id] = load.replicas[id]?.count ?? 0;
  // Answers from replicas not in the list (there should be none) still count toward the total.
  for (const [id, tally] of Object.entries(load.replicas)) perReplica[id] ??= tally.count;
  const counts = replicaIds.map((id) => perReplica[id] ?? 0);
  const total = Object.values(perReplica).reduce((a, b) => a + b, 0);
  const fair = n === 0 ? 0 : total / n;
  return {
    target,
    replicas: n,
    connections,
    reqPerSec: load.reqPerSec,
    ideal,
    ofIdeal: ideal === 0 ? 0 : load.reqPerSec / ideal,
    p50Us: load.latency.p50Us,
    p99Us: load.latency.p99Us,
    queueFloorUs: ideal === 0 ? 0 : (connections / ideal) * 1e6,
    failures: load.non2xx + load.errors + load.timeouts,
    perReplica,
    shareMin: fair === 0 ? 0 : Math.min(...counts) / fair,
    shareMax: fair === 0 ? 0 : Math.max(...counts) / fair,
    othersCpuPct: others.pctOfCpu,
    othersBy: others.by,
  };
}
