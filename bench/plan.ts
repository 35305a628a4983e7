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
    /** Each proxy once more with its system calls counted (perf) and its sockets' segments read (ss). */
    readonly countSec: number;
  };
  readonly routing: {
    /** Host rules in the many-rules balancer; the request matches the last. */
    readonly rules: number;
    readonly connections: number;
    readonly warmupSec: number;
    readonly durationSec: number;
    readonly rounds: number;
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
  readonly slowReplica: {
    readonly replicas: number;
    /** How much longer the slow replica takes than the others. */
    readonly slowFactor: number;
    /** Serial replicas (one request at a time): what a slow replica does to its queue is the point. */
    readonly delayMs: number;
    /**
     * 2 per replica: with fewer connections than replicas, least-conn always
     * finds an idle fast replica and the slow one hardly matters; with many per
     * replica, every strategy only adds queueing (Little's law) and the p99 is
     * whatever the slow replica's queue holds. Two per replica keeps every
     * replica busy when balanced well, and leaves a wrong pick visible.
     */
    readonly connectionsPerReplica: number;
    readonly warmupSec: number;
    /** The steady run with one replica slow throughout. */
    readonly durationSec: number;
    /** The run in which one replica turns slow halfway through, then recovers after a quarter. */
    readonly changingSec: number;
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
  overhead: { connections: 50, warmupSec: 3, durationSec: 2.5, rounds: 20, profileSec: 10, countSec: 5 },
  routing: { rules: 20, connections: 50, warmupSec: 3, durationSec: 2.5, rounds: 20 },
  scaling: { replicaCounts: [1, 2, 4, 8, 16], connectionsPerReplica: 4, warmupSec: 2, durationSec: 10, delayMs: 100 },
  slowReplica: { replicas: 4, slowFactor: 5, delayMs: 10, connectionsPerReplica: 2, warmupSec: 3, durationSec: 15, changingSec: 24 },
  churn: { connections: 32, holdSec: 6, maxSec: 180 },
  memory: { connections: 50, warmupRequests: 100_000, requests: 1_000_000, slices: 10 },
};

export const QUICK_PLAN: BenchPlan = {
  overhead: { connections: 50, warmupSec: 1, durationSec: 2, rounds: 3, profileSec: 3, countSec: 2 },
  routing: { rules: 20, connections: 50, warmupSec: 1, durationSec: 2, rounds: 2 },
  scaling: { replicaCounts: [1, 2, 4], connectionsPerReplica: 4, warmupSec: 1, durationSec: 3, delayMs: 100 },
  slowReplica: { replicas: 4, slowFactor: 5, delayMs: 10, connectionsPerReplica: 2, warmupSec: 1, durationSec: 4, changingSec: 8 },
  churn: { connections: 32, holdSec: 3, maxSec: 120 },
  memory: { connections: 50, warmupRequests: 10_000, requests: 100_000, slices: 4 },
};
