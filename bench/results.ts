import type { Machine } from './host/machine';
import type { BenchPlan } from './plan';
import type { ChurnResult } from './scenarios/churn';
import type { MemoryResult } from './scenarios/memory';
import type { OverheadResult } from './scenarios/overhead';
import type { ScalingResult } from './scenarios/scaling';

/** Everything one `npm run bench` measured: what bench/results/latest.json holds. */
export interface BenchResults {
  /** ISO time the run started. */
  readonly date: string;
  readonly quick: boolean;
  readonly machine: Machine;
  readonly plan: BenchPlan;
  readonly overhead?: OverheadResult;
  readonly scaling?: ScalingResult;
  readonly churn?: ChurnResult;
  readonly memory?: MemoryResult;
}
