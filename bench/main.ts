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
import { runScaling } from './scenarios/scaling';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const RUNNERS: { readonly [S in Scenario]: (ctx: BenchContext, results: Mutable<BenchResults>) => Promise<void> } = {
  overhead: async (ctx, r) => void (r.overhead = await runOverhead(ctx)),
  scaling: async (ctx, r) => void (r.scaling = await runScaling(ctx)),
  churn: async (ctx, r) => void (r.churn = await runChurn(ctx)),
  memory: async (ctx, r) => void (r.memory = await runMemory(ctx)),
};

/** Prints the tables and writes the result files (and the README section, when asked). */
async function report(results: BenchResults, options: BenchOptions, fresh: boolean): Promise<void> {
  const outDir = resolve(options.outDir);
  process.stdout.write(`\n${allTables(results).map(renderText).join('\n\n')}\n\n`);
  const written = await writeResults(outDir, results, fresh);
  if (options.readme) {
    const readme = join(ROOT, 'README.md');
    const assets = `${relative(ROOT, outDir)}/`;
    await writeFile(readme, spliceReadme(await readFile(readme, 'utf8'), resultsMarkdown(results, assets, true)));
    written.push(readme);
  }
  process.stdout.write(`Wrote ${written.map((f) => relative(process.cwd(), f)).join(', ')}\n`);
}

async function measure(options: BenchOptions, progress: Progress, cleanup: Cleanup): Promise<BenchResults> {
  const log = (line: string): void => progress.log(line);
  await pinSelf(LOAD_CPU);
  const facts = await preflight(log);
  progress.status('building images (scripts/build-images.sh bench)');
  const images = await buildImages();
  const plan = options.quick ? QUICK_PLAN : FULL_PLAN;
  const ctx: BenchContext = { options, plan, cleanup, progress, ownAddresses: new Set(), images, dockerGid: facts.dockerGid };
  const results: Mutable<BenchResults> = {
    date: new Date().toISOString(),
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
  progress.clear();
  return results;
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
      await report(results, options, false);
    } else {
      await report(await measure(options, progress, cleanup), options, true);
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
