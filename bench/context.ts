import type { Cleanup } from './cleanup';
import type { StackImages } from './docker/stack-file';
import type { BenchOptions } from './options';
import type { BenchPlan } from './plan';
import type { Progress } from './report/progress';

/** What every scenario gets from the runner. */
export interface BenchContext {
  readonly options: BenchOptions;
  readonly plan: BenchPlan;
  readonly cleanup: Cleanup;
  readonly progress: Progress;
  /** Addresses of the bench's own containers: the only addresses besides 127.0.0.1 that load may go to. */
  readonly ownAddresses: Set<string>;
  readonly images: StackImages;
  /** Group of /var/run/docker.sock, for the balancer container's `group_add`. */
  readonly dockerGid: number;
}
