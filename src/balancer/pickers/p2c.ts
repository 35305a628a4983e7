import type { Backend } from '../backend';
import type { Picker } from '../picker';
import { weighted, type WeightOptions } from './weights';

export interface P2cOptions extends WeightOptions {
  /** A number in [0, 1): injected so tests can choose the pairs. */
  readonly random: () => number;
}

/**
 * Power of two choices over peak-EWMA latency (Finagle's and Linkerd's
 * balancer): two replicas at random, and the one whose cost is lower takes the
 * request. Cost is the replica's latency estimate times its requests in flight
 * plus one, over its weight: a slow replica, or one with a queue, is passed
 * over, yet never starved, for the estimate decays while it gets nothing.
 * A replica never measured is taken to be as fast as the average of the
 * others, so a new one is neither shunned nor flooded.
 */
export class P2cPicker implements Picker {
  constructor(private readonly opts: P2cOptions) {}

  pick<B extends Backend>(candidates: readonly B[], tried?: ReadonlySet<B>): B | undefined {
    const { list, weights } = weighted(candidates, tried, this.opts);
    const n = list.length;
    if (n <= 1) return list[0];
    const now = this.opts.now();
    const first = Math.floor(this.opts.random() * n);
    // The second is drawn from the other n - 1, so the two always differ.
    const second = (first + 1 + Math.floor(this.opts.random() * (n - 1))) % n;
    const unknown = averageLatency(list, now);
    const costOf = (i: number): number => {
      const backend = list[i] as B;
      const latency = backend.latency.known ? backend.latency.read(now) : unknown;
      return (latency * (backend.inflight + 1)) / (weights[i] as number);
    };
    return costOf(second) < costOf(first) ? list[second] : list[first];
  }
}

/** The average estimate of the replicas measured so far; 1 ms when none is. */
function averageLatency(list: readonly Backend[], now: number): number {
  let sum = 0;
  let known = 0;
  for (const backend of list) {
    if (!backend.latency.known) continue;
    sum += backend.latency.read(now);
    known++;
  }
  return known === 0 ? 1 : sum / known;
}
