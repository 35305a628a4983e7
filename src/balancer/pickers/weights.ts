import type { Backend } from '../backend';

/** What weighs a replica at pick time, beyond its configured weight. */
export interface WeightOptions {
  /** A replica that just became ready ramps up to its full share over this long (0: off), as HAProxy's slowstart. */
  readonly slowStartMs: number;
  readonly now: () => number;
}

/** The smallest share slow start gives a replica that has just become ready (HAProxy starts near 0 too). */
const SLOW_START_FLOOR = 0.05;

/**
 * The replicas a pick chooses among, with the weight each has now: those not
 * tried yet, of positive weight; if none has a positive weight, the backups
 * (weight 0), counted equally. Slow start scales a new replica's weight.
 */
export function weighted<B extends Backend>(
  candidates: readonly B[],
  tried: ReadonlySet<B> | undefined,
  opts: WeightOptions,
): { readonly list: B[]; readonly weights: number[] } {
  const list: B[] = [];
  const weights: number[] = [];
  let backups: B[] | undefined;
  const now = opts.now();
  for (const backend of candidates) {
    if (tried?.has(backend)) continue;
    if (backend.weight === 0) {
      (backups ??= []).push(backend);
      continue;
    }
    list.push(backend);
    weights.push(backend.weight * ramp(backend, now, opts.slowStartMs));
  }
  if (list.length === 0 && backups !== undefined) {
    for (const backend of backups) {
      list.push(backend);
      weights.push(ramp(backend, now, opts.slowStartMs));
    }
  }
  return { list, weights };
}

function ramp(backend: Backend, now: number, slowStartMs: number): number {
  if (slowStartMs <= 0 || backend.readySince === undefined) return 1;
  return Math.min(1, Math.max(SLOW_START_FLOOR, (now - backend.readySince) / slowStartMs));
}

/** True when every weight is the same: the plain, unweighted algorithm applies. */
export function allEqual(weights: readonly number[]): boolean {
  for (let i = 1; i < weights.length; i++) if (weights[i] !== weights[0]) return false;
  return true;
}
