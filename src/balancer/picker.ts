import type { Strategy } from '../config';
import type { Backend } from './backend';

/**
 * Chooses the replica for a request. Pure apart from its own cursor: given
 * the candidates (ready replicas, in a stable order) and those already tried
 * for this request, it returns one, or undefined when none is left.
 */
export interface Picker {
  pick<B extends Backend>(candidates: readonly B[], tried?: ReadonlySet<B>): B | undefined;
}

/** Each replica in turn. With a stable candidate list, N*k requests give each replica exactly k. */
export class RoundRobinPicker implements Picker {
  private cursor = 0;

  pick<B extends Backend>(candidates: readonly B[], tried?: ReadonlySet<B>): B | undefined {
    const n = candidates.length;
    for (let i = 0; i < n; i++) {
      const candidate = candidates[(this.cursor + i) % n];
      if (candidate !== undefined && !tried?.has(candidate)) {
        this.cursor = (this.cursor + i + 1) % n;
        return candidate;
      }
    }
    return undefined;
  }
}

/**
 * The replica with the fewest requests in flight; ties go round-robin so an
 * idle service still spreads its requests.
 */
export class LeastConnPicker implements Picker {
  private cursor = 0;

  pick<B extends Backend>(candidates: readonly B[], tried?: ReadonlySet<B>): B | undefined {
    const n = candidates.length;
    let best: B | undefined;
    let bestIndex = 0;
    for (let i = 0; i < n; i++) {
      const index = (this.cursor + i) % n;
      const candidate = candidates[index];
      if (candidate === undefined || tried?.has(candidate)) continue;
      if (best === undefined || candidate.inflight < best.inflight) {
        best = candidate;
        bestIndex = index;
      }
    }
    if (best !== undefined) this.cursor = (bestIndex + 1) % n;
    return best;
  }
}

export function createPicker(strategy: Strategy): Picker {
  switch (strategy) {
    case 'round-robin':
      return new RoundRobinPicker();
    case 'least-conn':
      return new LeastConnPicker();
  }
}
