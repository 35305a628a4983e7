import type { Machine } from './host/machine';
import type { BenchPlan } from './plan';
import type { ChurnResult } from './scenarios/churn';
import type { MemoryResult } from './scenarios/memory';
import type { OverheadResult } from './scenarios/overhead';
import type { RoutingResult } from './scenarios/routing';
import type { ScalingResult } from './scenarios/scaling';
import type { SlowReplicaResult } from './scenarios/slow-replica';

/** Everything one `npm run bench` measured: what bench/results/latest.json holds. */
export interface BenchResults {
  /** ISO time the run started. */
  readonly date: string;
  /** How the run was asked for (`npm run bench -- --profile --readme`); absent in results from before it was kept. */
  readonly command?: string;
  /** Wall-clock seconds from the start to the last scenario's end; absent while the run is still going. */
  readonly durationSec?: number;
  readonly quick: boolean;
  readonly machine: Machine;
  readonly plan: BenchPlan;
  readonly overhead?: OverheadResult;
  readonly routing?: RoutingResult;
  readonly scaling?: ScalingResult;
  readonly slowReplica?: SlowReplicaResult;
  readonly churn?: ChurnResult;
  readonly memory?: MemoryResult;
}
