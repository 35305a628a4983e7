import { createTwoFilesPatch } from 'diff';

/** A unified diff (`diff -u`, git's a/ b/ names) of a rewrite, for --dry-run; empty when nothing changed. */
export function unifiedDiff(label: string, before: string, after: string): string {
  if (before === after) return '';
  // An absolute path becomes a/tmp/x.yml, as `patch -p1` run from / expects.
  const name = label.replace(/^\/+/, '');
  const patch = createTwoFilesPatch(`a/${name}`, `b/${name}`, before, after, undefined, undefined, { context: 3 });
  // jsdiff starts with a line of "=" that neither diff -u nor git writes.
  return patch.replace(/^=+\n/, '');
}
