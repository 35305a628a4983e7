import { writeFileAtomic } from '../compose/atomic-write';
import type { RewriteResult } from '../compose/rewrite-result';
import { unifiedDiff } from '../compose/unified-diff';
import { warn, type ComposeCliDeps, type LoadedCompose } from './compose-cli-deps';

/**
 * Shared by add and remove: prints warnings, then the diff (--dry-run: nothing is
 * written, and notes go to stderr so stdout is a clean patch) or writes the file.
 */
export function finishRewrite(
  result: RewriteResult,
  loaded: LoadedCompose,
  opts: { dryRun?: boolean },
  deps: ComposeCliDeps,
  next?: string,
): void {
  for (const w of result.warnings) warn(deps, w);
  const notes = result.notes.map((n) => `  - ${n}\n`).join('');
  if (!result.changed) {
    deps.stdout(`${loaded.label}: ${result.notes.join('; ')}\n`);
  } else if (opts.dryRun) {
    deps.stdout(unifiedDiff(loaded.label, loaded.source, result.text));
    deps.stderr(`dry run: ${loaded.label} was not written; it would be changed so:\n${notes}`);
  } else {
    writeFileAtomic(loaded.located.path, result.text, { expected: loaded.source });
    deps.stdout(`updated ${loaded.label}:\n${notes}${next === undefined ? '' : `${next}\n`}`);
  }
}
