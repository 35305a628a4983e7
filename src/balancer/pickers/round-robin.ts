import type { Backend } from '../backend';
import type { Picker } from '../picker';
import { allEqual, weighted, type WeightOptions } from './weights';

/**
 * Each replica in turn. With equal weights it walks a cursor through the
 * candidates: with a stable list, N*k requests give each replica exactly k.
 * With unequal weights (labels, slow start) it is nginx's smooth weighted
 * round-robin: each pick credits every replica its weight and takes the one
 * with the most credit, so weights 5:1:1 give a a b a c a a, not a a a a a b c.
 */
export class RoundRobinPicker implements Picker {
  private cursor = 0;
  private readonly credit = new WeakMap<Backend, number>();

  constructor(private readonly opts: WeightOptions) {}

  pick<B extends Backend>(candidates: readonly B[], tried?: ReadonlySet<B>): B | undefined {
    const { list, weights } = weighted(candidates, tried, this.opts);
    if (list.length === 0) return undefined;
    if (allEqual(weights)) return this.inTurn(candidates, list);
    return this.smooth(list, weights);
  }

  /** The next of `list` after the cursor, walking the full candidate list so the turn survives retries. */
  private inTurn<B extends Backend>(candidates: readonly B[], list: readonly B[]): B | undefined {
    const n = candidates.length;
    for (let i = 0; i < n; i++) {
      const candidate = candidates[(this.cursor + i) % n];
      if (candidate !== undefined && list.includes(candidate)) {
        this.cursor = (this.cursor + i + 1) % n;
        return candidate;
      }
    }
    return undefined;
  }

  private smooth<B extends Backend>(list: readonly B[], weights: readonly number[]): B | undefined {
    let total = 0;
    let best: B | undefined;
    let bestCredit = -Infinity;
    for (let i = 0; i < list.length; i++) {
      const backend = list[i] as B;
      const weight = weights[i] as number;
      const credit = (this.credit.get(backend) ?? 0) + weight;
      this.credit.set(backend, credit);
      total += weight;
      if (credit > bestCredit) {
        best = backend;
        bestCredit = credit;
      }
    }
    if (best !== undefined) this.credit.set(best, bestCredit - total);
    return best;
  }
}
