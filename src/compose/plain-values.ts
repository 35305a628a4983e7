/** Narrowing helpers for the plain values `Document.toJS()` gives. */

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A list of scalars as strings (`[80, "443"]` -> `["80", "443"]`); other items are left out. */
export function scalarList(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.filter((v) => typeof v === 'string' || typeof v === 'number').map(String);
}
