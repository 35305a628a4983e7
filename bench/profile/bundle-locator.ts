import { originalPositionFor, TraceMap } from '@jridgewell/trace-mapping';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Locate } from './profile-summary';

/**
 * compose-lb runs as one esbuild bundle, so every frame of a profile says
 * dist/compose-lb.js: the bundle's source map says which source file and
 * package each one really is.
 */
export function bundleLocator(bundle: string): Locate {
  let map: TraceMap | undefined;
  try {
    map = new TraceMap(readFileSync(`${bundle}.map`, 'utf8'));
  } catch {
    map = undefined;
  }
  const name = basename(bundle);
  return (url, line, column) => {
    if (map === undefined || !url.endsWith(`/${name}`)) return undefined;
    // Profiles count lines from 0, source maps from 1 (columns from 0 in both).
    const original = originalPositionFor(map, { line: line + 1, column });
    return original.source === null ? undefined : { source: original.source, line: original.line ?? 0 };
  };
}
