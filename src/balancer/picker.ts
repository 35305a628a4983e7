import type { Strategy } from '../config';
import type { Backend } from './backend';
import { LeastConnPicker } from './pickers/least-conn';
import { P2cPicker } from './pickers/p2c';
import { RoundRobinPicker } from './pickers/round-robin';

/**
 * Chooses the replica for a request. Pure apart from its own state (a cursor,
 * credits): given the candidates (ready replicas, in a stable order) and those
 * already tried for this request, it returns one, or undefined when none is
 * left. Every strategy honours weights (a replica's label compose-lb.weight;
 * 0 makes it a backup) and slow start.
 */
export interface Picker {
  pick<B extends Backend>(candidates: readonly B[], tried?: ReadonlySet<B>): B | undefined;
}

export interface PickerOptions {
  /** A replica that just became ready ramps up to its full share over this long; 0 for no ramp. */
  readonly slowStartMs: number;
  readonly now?: () => number;
  readonly random?: () => number;
}

export function createPicker(strategy: Strategy, opts: PickerOptions): Picker {
  const weights = { slowStartMs: opts.slowStartMs, now: opts.now ?? Date.now };
  switch (strategy) {
    case 'round-robin':
      return new RoundRobinPicker(weights);
    case 'least-conn':
      return new LeastConnPicker(weights);
    case 'p2c':
      return new P2cPicker({ ...weights, random: opts.random ?? Math.random });
  }
}
