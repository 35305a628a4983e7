import type { SocketCounters } from '../host/socket-stats';
import { TOTAL } from '../host/syscall-count';
import { ratio } from '../stats';
import type { Target } from '../targets';
import { perRequest } from './overhead-summary';

/**
 * A proxy under the overhead load once more, on its own and short, with its
 * system calls counted (perf) and its sockets' segments read (ss): counting
 * perturbs a little, so the measured rounds never count.
 */
export interface CountedRun {
  readonly target: string;
  readonly requests: number;
  readonly reqPerSec: number;
  /** By system call name; TOTAL is every call. */
  readonly syscalls: Readonly<Record<string, number>>;
  /** Responses the load generator got between the two readings of the sockets. */
  readonly windowResponses: number;
  /** What the proxy's sockets sent to the load generator, and to the replica, between those readings. */
  readonly toClient: SocketCounters;
  readonly toReplica: SocketCounters;
}

/** Calls that move bytes, by direction, and the event loop's wait, under every name Node and HAProxy use. */
export const SYSCALL_GROUPS = {
  reads: ['read', 'readv', 'recvfrom', 'recvmsg', 'recvmmsg'],
  writes: ['write', 'writev', 'sendto', 'sendmsg', 'sendmmsg'],
  waits: ['epoll_wait', 'epoll_pwait', 'epoll_pwait2'],
} as const;

export interface WireRow {
  readonly target: string;
  readonly label: string;
  readonly countedReqPerSec: number;
  /** req/s while counted over the measured median: how much perf perturbed the proxy. */
  readonly countedVsMeasured: number | undefined;
  readonly syscallsPerReq: number | undefined;
  readonly readsPerReq: number | undefined;
  readonly writesPerReq: number | undefined;
  readonly waitsPerReq: number | undefined;
  /** Requests served per wakeup of the event loop: how much one epoll wait batches. */
  readonly requestsPerWait: number | undefined;
  /** The most frequent calls, e.g. `read 2.00, writev 1.00, write 1.00`. */
  readonly topCalls: string;
  readonly toClientDataSegsPerReq: number | undefined;
  readonly toClientAcksPerReq: number | undefined;
  readonly toReplicaDataSegsPerReq: number | undefined;
  readonly toReplicaAcksPerReq: number | undefined;
}

const sumOf = (counts: Readonly<Record<string, number>>, names: readonly string[]): number =>
  names.reduce((n, name) => n + (counts[name] ?? 0), 0);

/** Pure: per-request figures of each counted run, beside the measured req/s of the same target. */
export function summarizeWire(
  targets: readonly Target[],
  measuredReqPerSec: (target: string) => number | undefined,
  counted: readonly CountedRun[],
): WireRow[] {
  return counted.map((run) => {
    const per = (n: number): number | undefined => perRequest(n, run.requests);
    const perWindow = (n: number): number | undefined => perRequest(n, run.windowResponses);
    const waits = sumOf(run.syscalls, SYSCALL_GROUPS.waits);
    const top = Object.entries(run.syscalls)
      .filter(([name]) => name !== TOTAL)
      .sort(([, a], [, b]) => b - a)
      .slice(0, 4)
      .map(([name, n]) => `${name} ${(per(n) ?? 0).toFixed(2)}`);
    return {
      target: run.target,
      label: targets.find((t) => t.id === run.target)?.label ?? run.target,
      countedReqPerSec: run.reqPerSec,
      countedVsMeasured: ratio(run.reqPerSec, measuredReqPerSec(run.target)),
      syscallsPerReq: per(run.syscalls[TOTAL] ?? 0),
      readsPerReq: per(sumOf(run.syscalls, SYSCALL_GROUPS.reads)),
      writesPerReq: per(sumOf(run.syscalls, SYSCALL_GROUPS.writes)),
      waitsPerReq: per(waits),
      requestsPerWait: waits === 0 ? undefined : run.requests / waits,
      topCalls: top.join(', '),
      toClientDataSegsPerReq: perWindow(run.toClient.dataSegsOut),
      toClientAcksPerReq: perWindow(run.toClient.segsOut - run.toClient.dataSegsOut),
      toReplicaDataSegsPerReq: perWindow(run.toReplica.dataSegsOut),
      toReplicaAcksPerReq: perWindow(run.toReplica.segsOut - run.toReplica.dataSegsOut),
    };
  });
}
