/** Number formats shared by every table. Pure. */

const DASH = '–';

export function int(n: number | undefined): string {
  return n === undefined || !Number.isFinite(n) ? DASH : Math.round(n).toLocaleString('en-US');
}

/** A latency given in microseconds, in the unit that reads best. */
export function latency(us: number | undefined): string {
  if (us === undefined || !Number.isFinite(us)) return DASH;
  if (us < 10_000) return `${(us / 1000).toFixed(2)} ms`;
  if (us < 1_000_000) return `${Math.round(us / 1000)} ms`;
  return `${(us / 1e6).toFixed(2)} s`;
}

export function times(r: number | undefined, digits = 2): string {
  return r === undefined || !Number.isFinite(r) ? DASH : `${r.toFixed(digits)}×`;
}

export function fixed(n: number | undefined, digits = 1): string {
  return n === undefined || !Number.isFinite(n) ? DASH : n.toFixed(digits);
}

export function pct(n: number | undefined, digits = 0): string {
  return n === undefined || !Number.isFinite(n) ? DASH : `${n.toFixed(digits)} %`;
}

export function ms(n: number | undefined): string {
  return n === undefined || !Number.isFinite(n) ? DASH : `${Math.round(n).toLocaleString('en-US')} ms`;
}

/** A ratio as a signed change: 0.97 -> `-3.0 %`, 1.02 -> `+2.0 %`. */
export function signedPct(r: number | undefined, digits = 1): string {
  if (r === undefined || !Number.isFinite(r)) return DASH;
  const change = (r - 1) * 100;
  return `${change >= 0 ? '+' : ''}${change.toFixed(digits)} %`;
}
