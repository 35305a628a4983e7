/**
 * How long and how hard each scenario runs. One place, so the README's
 * description of a run and the run itself cannot drift apart.
 */
export interface BenchPlan {
  readonly overhead: {
    /** The same for every target (the figures are at 50). */
    readonly connections: number;
    readonly warmupSec: number;
    readonly durationSec: number;
    /** Targets run interleaved, once per round; the table shows the median. */
    readonly rounds: number;
    readonly profileSec: number;
  };
  readonly scaling: {
    readonly replicaCounts: readonly number[];
    /**
     * A serial replica serves one request at a time, so it idles whenever its
     * queue is empty. With 4 requests per replica outstanding a momentarily
     * uneven spread still leaves every queue non-empty; more would only add
     * queueing delay (Little's law: latency = connections / throughput).
     */
    readonly connectionsPerReplica: number;
    readonly warmupSec: number;
    readonly durationSec: number;
    readonly delayMs: number;
  };
  readonly churn: {
    readonly connections: number;
    /** Load keeps running this long after each change, so its effect shows. */
    readonly holdSec: number;
    /** The load stops here whatever happens: every run is bounded. */
    readonly maxSec: number;
  };
  readonly memory: {
    readonly connections: number;
    readonly warmupRequests: number;
    readonly requests: number;
    /** RSS is read after each of this many equal slices of `requests`. */
    readonly slices: number;
  };
}

export const FULL_PLAN: BenchPlan = {
  overhead: { connections: 50, warmupSec: 3, durationSec: 10, rounds: 5, profileSec: 10 },
  scaling: { replicaCounts: [1, 2, 4, 8, 16], connectionsPerReplica: 4, warmupSec: 2, durationSec: 10, delayMs: 100 },
  churn: { connections: 32, holdSec: 6, maxSec: 120 },
  memory: { connections: 50, warmupRequests: 100_000, requests: 1_000_000, slices: 10 },
};

export const QUICK_PLAN: BenchPlan = {
  overhead: { connections: 50, warmupSec: 1, durationSec: 2, rounds: 3, profileSec: 3 },
  scaling: { replicaCounts: [1, 2, 4], connectionsPerReplica: 4, warmupSec: 1, durationSec: 3, delayMs: 100 },
  churn: { connections: 32, holdSec: 3, maxSec: 60 },
  memory: { connections: 50, warmupRequests: 10_000, requests: 100_000, slices: 4 },
};
