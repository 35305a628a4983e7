/** The scenarios `npm run bench` knows, in the order they run. */
export const SCENARIOS = ['overhead', 'routing', 'scaling', 'slow-replica', 'churn', 'memory'] as const;
export type Scenario = (typeof SCENARIOS)[number];

export interface BenchOptions {
  readonly scenarios: readonly Scenario[];
  /** Short runs to check the bench itself works; its figures are not worth quoting. */
  readonly quick: boolean;
  /** Profile compose-lb (`--cpu-prof`) under the overhead load and summarise where its time goes. */
  readonly profile: boolean;
  /** Where results go; quick runs default elsewhere so they never replace the committed figures. */
  readonly outDir: string;
  /** Also write the results into bench/README.md (all) and README.md (the summary), between their BENCH markers. */
  readonly readme: boolean;
  /** Measure nothing: render the tables, markdown and chart again from this results file. */
  readonly render: string | undefined;
  readonly help: boolean;
}

export const USAGE = `Usage: npm run bench -- [--scenario ${SCENARIOS.join(',')}] [--quick] [--profile] [--out DIR] [--readme]
       npm run bench -- --render bench/results/latest.json [--readme]

  --scenario LIST  which scenarios to run (default: all, in that order)
  --quick          short runs, to check the bench works (results go to bench/results/quick)
  --profile        also profile compose-lb and the plain Node proxies under the overhead load
                   (implies the overhead scenario)
  --out DIR        where to write latest.json, latest.md and the charts (default bench/results)
  --readme         also put every table into bench/README.md and the summary into README.md
                   (each between <!-- BENCH:BEGIN --> and <!-- BENCH:END -->)
  --render FILE    measure nothing: write the tables, latest.md and the charts again from a results file`;

export class UsageError extends Error {
  readonly code = 'BENCH_USAGE';
}

function parseScenarios(raw: string): Scenario[] {
  const wanted = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const unknown = wanted.filter((s) => !SCENARIOS.some((known) => known === s));
  if (unknown.length > 0 || wanted.length === 0) {
    throw new UsageError(`--scenario takes a list of ${SCENARIOS.join(', ')}; not "${raw}"`);
  }
  // Always in the canonical order, so a run reads the same whichever way it was asked for.
  return SCENARIOS.filter((s) => wanted.includes(s));
}

/** Parses the arguments after `node dist/bench.js`. Pure: throws UsageError on anything it does not know. */
export function parseOptions(argv: readonly string[]): BenchOptions {
  let scenarios: Scenario[] = [...SCENARIOS];
  let quick = false;
  let profile = false;
  let outDir: string | undefined;
  let readme = false;
  let render: string | undefined;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    const value = (): string => {
      const next = inline ?? argv[++i];
      if (next === undefined || next === '') throw new UsageError(`${flag} needs a value`);
      return next;
    };
    if (flag === '--scenario' || flag === '--scenarios') scenarios = parseScenarios(value());
    else if (flag === '--quick') quick = true;
    else if (flag === '--profile') profile = true;
    else if (flag === '--out') outDir = value();
    else if (flag === '--readme') readme = true;
    else if (flag === '--render') render = value();
    else if (flag === '--help' || flag === '-h') help = true;
    else throw new UsageError(`unknown argument "${arg}"`);
  }
  if (profile && !scenarios.includes('overhead')) scenarios = SCENARIOS.filter((s) => s === 'overhead' || scenarios.includes(s));
  return { scenarios, quick, profile, outDir: outDir ?? (quick ? 'bench/results/quick' : 'bench/results'), readme, render, help };
}
