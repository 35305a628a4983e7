import type { LatencySummary } from '../latency-histogram';
import type { PhaseResult } from './phase-recorder';

/** What one load run does. Exactly one of durationSec and amount bounds it (and the runner's deadline always does). */
export interface LoadJob {
  readonly url: string;
  readonly connections: number;
  readonly durationSec?: number;
  readonly amount?: number;
  /** Count responses by their X-Replica header, with when each replica first answered. */
  readonly trackReplicas?: boolean;
  /** Seconds before one request counts as timed out. */
  readonly requestTimeoutSec?: number;
  /** Extra request headers (a Host a routing rule matches). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Name of the first phase (see LoadRun.mark). */
  readonly phase?: string;
}

/** Per replica, from the X-Replica header of the responses it sent. */
export interface ReplicaTally {
  readonly count: number;
}

export interface LoadResult {
  readonly requests: number;
  readonly durationSec: number;
  readonly reqPerSec: number;
  readonly non2xx: number;
  /** Socket errors (refused, reset, ...): autocannon's `errors` less its timeouts. */
  readonly errors: number;
  readonly timeouts: number;
  readonly statusCodes: Readonly<Record<string, number>>;
  /** Socket errors and timeouts by code (ECONNRESET, ...), to say what went wrong when something did. */
  readonly errorCodes: Readonly<Record<string, number>>;
  readonly latency: LatencySummary;
  /** CPU the load generator itself used (user + system), to show whether it, not the target, was the limit. */
  readonly loadCpuMs: number;
  readonly replicas: Readonly<Record<string, ReplicaTally>>;
  readonly startedAt: number;
  /** The run split where the bench marked it; one phase when it marked nothing. */
  readonly phases: readonly PhaseResult[];
}

/** Parent -> worker. */
export type ToWorker =
  | { readonly type: 'start'; readonly job: LoadJob }
  | { readonly type: 'mark'; readonly phase: string }
  | { readonly type: 'stop' };

/** Worker -> parent. */
export type FromWorker =
  | { readonly type: 'progress'; readonly requests: number; readonly elapsedSec: number }
  | { readonly type: 'result'; readonly result: LoadResult }
  | { readonly type: 'failed'; readonly message: string };
