import type { Backend } from '../backend';
import type { Picker } from '../picker';
import { weighted, type WeightOptions } from './weights';

/**
 * The replica with the fewest requests in flight for its weight (HAProxy's
 * leastconn); ties go round-robin, so an idle service still spreads its
 * requests.
 */
export class LeastConnPicker implements Picker {
  private cursor = 0;

  constructor(private readonly opts: WeightOptions) {}

  pick<B extends Backend>(candidates: readonly B[], tried?: ReadonlySet<B>): B | undefined {
    const { list, weights } = weighted(candidates, tried, this.opts);
    const n = list.length;
    let best: B | undefined;
    let bestLoad = Infinity;
    let bestIndex = 0;
    for (let i = 0; i < n; i++) {
      const index = (this.cursor + i) % n;
      const backend = list[index] as B;
      // +1: with none in flight, the heavier replica is still the less loaded one.
      const load = (backend.inflight + 1) / (weights[index] as number);
      if (load < bestLoad) {
        best = backend;
        bestLoad = load;
        bestIndex = index;
      }
    }
    if (best !== undefined) this.cursor = (bestIndex + 1) % n;
    return best;
  }
}
