import type { BenchResults } from '../results';
import { PHASES } from '../scenarios/slow-replica-summary';
import { BALANCING_TARGETS } from '../targets';
import type { BarChartInput } from './bar-chart';
import { goalsTable } from './goals';
import type { ChartInput } from './scaling-chart';
import { allTables } from './tables';
import { renderMarkdown } from './text-table';

export const CHART_FILE = 'scaling.svg';
export const SLOW_REPLICA_CHART_FILE = 'slow-replica.svg';
export const README_BEGIN = '<!-- BENCH:BEGIN -->';
export const README_END = '<!-- BENCH:END -->';

/** One line saying when and on what the figures were measured. */
export function machineLine(results: BenchResults): string {
  const m = results.machine;
  const day = results.date.slice(0, 10);
  return `${day} on ${m.cpuModel}, ${m.cores} cores, ${m.memoryGb} GB, Linux ${m.kernel}; Node ${m.node}, HAProxy ${m.haproxy}, Docker ${m.docker}, Compose ${m.compose}, autocannon ${m.autocannon}. Pinning: ${m.pinning}.`;
}

/** When the run started, how it was asked for and how long it took, as far as the results say. Pure. */
export function runLine(results: BenchResults): string {
  const started = `${results.date.slice(0, 16).replace('T', ' ')} UTC`;
  const command = results.command === undefined ? '' : `, \`${results.command}\``;
  const took = results.durationSec === undefined ? '' : `, ${Math.round(results.durationSec / 60)} min`;
  return `Run ${started}${command}${took}.`;
}

const subtitleOf = (results: BenchResults, what: string): string =>
  `${results.date.slice(0, 10)} · ${results.machine.cpuModel}, ${results.machine.cores} cores · ${what}`;

/** The scaling chart's data: one series per balancing target. Pure. */
export function chartInput(results: BenchResults): ChartInput | undefined {
  const r = results.scaling;
  if (r === undefined) return undefined;
  return {
    title: 'Throughput vs replicas (serial demo app)',
    subtitle: subtitleOf(results, `${r.connectionsPerReplica} connections per replica`),
    replicaCounts: r.replicaCounts,
    idealPerReplica: 1000 / r.delayMs,
    series: BALANCING_TARGETS.filter((t) => r.points.some((p) => p.target === t.id)).map((t) => ({
      label: t.label,
      points: r.points.filter((p) => p.target === t.id).map((p) => [p.replicas, p.reqPerSec] as const),
    })),
  };
}

/** The slow-replica chart's data: latency in the steady run, and the slow replica's share in every phase. Pure. */
export function slowReplicaChartInput(results: BenchResults): BarChartInput | undefined {
  const r = results.slowReplica;
  if (r === undefined) return undefined;
  const targets = BALANCING_TARGETS.filter((t) => r.rows.some((x) => x.target === t.id));
  const find = (target: string, phase: string) => r.rows.find((x) => x.target === target && x.phase === phase);
  const shareSeries = [PHASES.steady, PHASES.before, PHASES.slow, PHASES.after];
  return {
    title: `One replica of ${r.replicas} is ${r.slowFactor}× slower (serial demo app, ${r.delayMs} ms a request)`,
    subtitle: subtitleOf(results, `${r.connections} connections, closed loop`),
    panels: [
      {
        title: 'Latency, slow replica throughout',
        unit: 'ms',
        series: ['p50', 'p99'],
        groups: targets.map((t) => {
          const row = find(t.id, PHASES.steady);
          return { label: t.label, values: [row?.p50Us, row?.p99Us].map((us) => (us === undefined ? undefined : us / 1000)) };
        }),
      },
      {
        title: "The slow replica's share of requests",
        unit: '% of requests',
        series: [`${PHASES.steady} (steady run)`, ...shareSeries.slice(1).map((p) => `changing run: ${p}`)],
        groups: targets.map((t) => ({ label: t.label, values: shareSeries.map((p) => find(t.id, p)?.slowShare).map((s) => (s === undefined ? undefined : 100 * s)) })),
        reference: { value: 100 / r.replicas, label: 'fair share' },
      },
    ],
  };
}

/** The charts a results document embeds, after the table whose title starts with `after`. */
const CHARTS = [
  { after: 'Scaling:', file: CHART_FILE, alt: 'Throughput vs replicas', has: (r: BenchResults) => r.scaling !== undefined },
  { after: 'Slow replica:', file: SLOW_REPLICA_CHART_FILE, alt: 'Latency and the slow replica\'s share', has: (r: BenchResults) => r.slowReplica !== undefined },
] as const;

/**
 * The run as markdown. `assets` is the path from where the markdown is read to
 * the results directory ('' beside it). In full: every table, the charts and
 * the flame graphs. Brief (the project README): the goals, the scaling chart, and where the rest is. Pure.
 */
export function resultsMarkdown(results: BenchResults, assets: string, brief = false): string {
  const parts = [`${runLine(results)} Measured ${machineLine(results)}${results.quick ? ' **Quick run: short runs, figures not worth quoting.**' : ''}`];
  if (brief) {
    const goals = goalsTable(results);
    if (goals !== undefined) parts.push(renderMarkdown(goals));
    if (results.scaling !== undefined) parts.push(`![Throughput vs replicas](${assets}${CHART_FILE})`);
    parts.push('What each scenario does and how it measures, every table, the charts and flame graphs: [bench/README.md](bench/README.md).');
    return `${parts.join('\n\n')}\n`;
  }
  parts.push(`Every figure: [${assets}latest.json](${assets}latest.json).`);
  for (const table of allTables(results)) {
    parts.push(renderMarkdown(table));
    const chart = CHARTS.find((c) => table.title.startsWith(c.after) && c.has(results));
    if (chart !== undefined) parts.push(`![${chart.alt}](${assets}${chart.file})`);
  }
  const profile = results.overhead?.profile;
  if (profile !== undefined) {
    const link = (p: { label: string; files: { flameGraph: string } }): string => `[${p.label}](${assets}${p.files.flameGraph})`;
    parts.push(`Flame graphs (open the SVG, hover for names): ${[profile.composeLb, ...profile.references].map(link).join(', ')}.`);
  }
  return `${parts.join('\n\n')}\n`;
}

/** Replaces what stands between a README's bench markers. Pure; throws when the markers are missing. */
export function spliceReadme(readme: string, section: string): string {
  const begin = readme.indexOf(README_BEGIN);
  const end = readme.indexOf(README_END);
  if (begin === -1 || end < begin) throw new Error(`no ${README_BEGIN} ... ${README_END} section to write the results into`);
  return `${readme.slice(0, begin + README_BEGIN.length)}\n\n${section.trim()}\n\n${readme.slice(end)}`;
}
