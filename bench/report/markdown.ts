import type { BenchResults } from '../results';
import { SCALING_TARGETS } from '../targets';
import type { ChartInput } from './scaling-chart';
import { allTables } from './tables';
import { renderMarkdown } from './text-table';

export const CHART_FILE = 'scaling.svg';
export const README_BEGIN = '<!-- BENCH:BEGIN -->';
export const README_END = '<!-- BENCH:END -->';

/** One line saying when and on what the figures were measured. */
export function machineLine(results: BenchResults): string {
  const m = results.machine;
  const day = results.date.slice(0, 10);
  return `${day} on ${m.cpuModel}, ${m.cores} cores, ${m.memoryGb} GB, Linux ${m.kernel}; Node ${m.node}, HAProxy ${m.haproxy}, Docker ${m.docker}, Compose ${m.compose}, autocannon ${m.autocannon}. Pinning: ${m.pinning}.`;
}

/** The chart's data: one series per scaling target. Pure. */
export function chartInput(results: BenchResults): ChartInput | undefined {
  const r = results.scaling;
  if (r === undefined) return undefined;
  return {
    title: 'Throughput vs replicas (serial demo app)',
    subtitle: `${results.date.slice(0, 10)} · ${results.machine.cpuModel}, ${results.machine.cores} cores · ${r.connectionsPerReplica} connections per replica`,
    replicaCounts: r.replicaCounts,
    idealPerReplica: 1000 / r.delayMs,
    series: SCALING_TARGETS.filter((t) => r.points.some((p) => p.target === t.id)).map((t) => ({
      label: t.label,
      points: r.points.filter((p) => p.target === t.id).map((p) => [p.replicas, p.reqPerSec] as const),
    })),
  };
}

/**
 * The run as markdown. `assets` is the path from where the markdown is read to
 * bench/results/ ('' beside it, 'bench/results/' from the README); `brief`
 * keeps the headline tables and links the rest. Pure.
 */
export function resultsMarkdown(results: BenchResults, assets: string, brief = false): string {
  const parts = [
    `Measured ${machineLine(results)}${results.quick ? ' **Quick run: short runs, figures not worth quoting.**' : ''}`,
    brief
      ? `All tables: [${assets}latest.md](${assets}latest.md); every figure: [${assets}latest.json](${assets}latest.json).`
      : `Every figure: [${assets}latest.json](${assets}latest.json).`,
  ];
  for (const table of allTables(results, brief)) {
    parts.push(renderMarkdown(table));
    if (table.title.startsWith('Scaling:') && results.scaling) parts.push(`![Throughput vs replicas](${assets}${CHART_FILE})`);
  }
  const profile = results.overhead?.profile;
  if (profile !== undefined) {
    const link = (p: { label: string; files: { flameGraph: string } }): string => `[${p.label}](${assets}${p.files.flameGraph})`;
    parts.push(`Flame graphs (open the SVG, hover for names): ${link(profile.composeLb)}, ${link(profile.plain)}.`);
  }
  return `${parts.join('\n\n')}\n`;
}

/** Replaces what stands between the README's bench markers. Pure; throws when the markers are missing. */
export function spliceReadme(readme: string, section: string): string {
  const begin = readme.indexOf(README_BEGIN);
  const end = readme.indexOf(README_END);
  if (begin === -1 || end < begin) throw new Error(`README.md has no ${README_BEGIN} ... ${README_END} section`);
  return `${readme.slice(0, begin + README_BEGIN.length)}\n\n${section.trim()}\n\n${readme.slice(end)}`;
}
