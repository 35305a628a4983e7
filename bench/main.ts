import { readFile, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { Cleanup } from './cleanup';
import type { BenchContext } from './context';
import { describeMachine } from './host/machine';
import { runLoadWorker } from './load/load-worker';
import { LOAD_CPU } from './load/run-load';
import { parseOptions, USAGE, UsageError, type BenchOptions, type Scenario } from './options';
import { ROOT } from './paths';
import { FULL_PLAN, QUICK_PLAN } from './plan';
import { buildImages, pinSelf, preflight } from './preflight';
import { resultsMarkdown, spliceReadme } from './report/markdown';
import { Progress } from './report/progress';
import { allTables } from './report/tables';
import { renderText } from './report/text-table';
import { writeResults } from './report/write-results';
import type { BenchResults } from './results';
import { runChurn } from './scenarios/churn';
import { runMemory } from './scenarios/memory';
import { runOverhead } from './scenarios/overhead';
import { summarizeOverhead } from './scenarios/overhead-summary';
import { runRouting } from './scenarios/routing';
import { runScaling } from './scenarios/scaling';
import { runSlowReplica } from './scenarios/slow-replica';
import { OVERHEAD_TARGETS } from './targets';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const RUNNERS: { readonly [S in Scenario]: (ctx: BenchContext, results: Mutable<BenchResults>) => Promise<void> } = {
  overhead: async (ctx, r) => void (r.overhead = await runOverhead(ctx)),
  routing: async (ctx, r) => void (r.routing = await runRouting(ctx)),
  scaling: async (ctx, r) => void (r.scaling = await runScaling(ctx)),
  'slow-replica': async (ctx, r) => void (r.slowReplica = await runSlowReplica(ctx)),
  churn: async (ctx, r) => void (r.churn = await runChurn(ctx)),
  memory: async (ctx, r) => void (r.memory = await runMemory(ctx)),
};

/** Replaces the bench's section of a README; `assets` is the path from the README to the results. */
async function spliceInto(readme: string, results: BenchResults, assets: string, brief: boolean): Promise<string> {
  await writeFile(readme, spliceReadme(await readFile(readme, 'utf8'), resultsMarkdown(results, assets, brief)));
  return readme;
}

/** Prints the tables and writes the result files (and the READMEs' sections, when asked). */
async function report(results: BenchResults, options: BenchOptions, fresh: boolean): Promise<void> {
  const outDir = resolve(options.outDir);
  process.stdout.write(`\n${allTables(results).map(renderText).join('\n\n')}\n\n`);
  const written = await writeResults(outDir, results, fresh);
  if (options.readme) {
    // Everything in bench/README.md; in the project's README only the summary (another author's page around it).
    const benchDir = join(ROOT, 'bench');
    written.push(await spliceInto(join(benchDir, 'README.md'), results, `${relative(benchDir, outDir)}/`, false));
    written.push(await spliceInto(join(ROOT, 'README.md'), results, `${relative(ROOT, outDir)}/`, true));
  }
  process.stdout.write(`Wrote ${written.map((f) => relative(process.cwd(), f)).join(', ')}\n`);
}

/** The command line as a reader would type it again. */
const commandLine = (argv: readonly string[]): string => ['npm run bench', ...(argv.length > 0 ? ['--', ...argv] : [])].join(' ');

async function measure(argv: readonly string[], options: BenchOptions, progress: Progress, cleanup: Cleanup): Promise<BenchResults> {
  const log = (line: string): void => progress.log(line);
  await pinSelf(LOAD_CPU);
  const facts = await preflight(log);
  progress.status('building images (scripts/build-images.sh bench)');
  const images = await buildImages();
  const plan = options.quick ? QUICK_PLAN : FULL_PLAN;
  const ctx: BenchContext = { options, plan, cleanup, progress, ownAddresses: new Set(), images, dockerGid: facts.dockerGid };
  const startedAt = Date.now();
  const results: Mutable<BenchResults> = {
    date: new Date(startedAt).toISOString(),
    command: commandLine(argv),
    quick: options.quick,
    machine: await describeMachine(facts.haproxy),
    plan,
  };
  for (const scenario of options.scenarios) {
    log(`${scenario}: running`);
    const started = Date.now();
    await RUNNERS[scenario](ctx, results);
    // Written after every scenario, so a later failure keeps what was measured.
    await writeResults(resolve(options.outDir), results);
    log(`${scenario}: done in ${Math.round((Date.now() - started) / 1000)} s`);
  }
  results.durationSec = Math.round((Date.now() - startedAt) / 1000);
  progress.clear();
  return results;
}

/**
 * Overhead's rows derive from its runs: summarised again, a results file
 * rendered later shows what the summaries compute now, not what they did then.
 */
function resummarized(results: BenchResults): BenchResults {
  const o = results.overhead;
  return o === undefined ? results : { ...results, overhead: { ...o, rows: summarizeOverhead(OVERHEAD_TARGETS, o.runs) } };
}

async function bench(argv: readonly string[]): Promise<number> {
  const options = parseOptions(argv);
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const progress = new Progress();
  const cleanup = new Cleanup();
  cleanup.onInterrupt((line) => progress.log(line));
  try {
    if (options.render !== undefined) {
      const results = JSON.parse(await readFile(options.render, 'utf8')) as BenchResults;
      await report(resummarized(results), options, false);
    } else {
      await report(await measure(argv, options, progress, cleanup), options, true);
    }
    return 0;
  } catch (err) {
    progress.clear();
    // After Ctrl-C, whatever failed next failed because its containers went: not worth a stack trace.
    if (cleanup.interrupted) return 130;
    process.stderr.write(`bench failed: ${(err as Error).stack ?? String(err)}\n`);
    return 1;
  } finally {
    await cleanup.runAll((line) => progress.log(line));
    if (cleanup.interrupted) progress.log('interrupted; everything the bench started is gone');
  }
}

if (process.argv[2] === '--load-worker') {
  runLoadWorker();
} else {
  bench(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      if (err instanceof UsageError) {
        process.stderr.write(`${err.message}\n\n${USAGE}\n`);
        process.exit(2);
      }
      throw err;
    },
  );
}
