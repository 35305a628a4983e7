import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BenchResults } from '../results';
import { barChartSvg } from './bar-chart';
import { CHART_FILE, chartInput, resultsMarkdown, SLOW_REPLICA_CHART_FILE, slowReplicaChartInput } from './markdown';
import { scalingChartSvg } from './scaling-chart';

/**
 * Writes latest.json (every figure; left as it is when only rendering again),
 * latest.md (the tables) and the charts; returns the paths written.
 */
export async function writeResults(dir: string, results: BenchResults, json = true): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  const write = async (name: string, text: string): Promise<void> => {
    await writeFile(join(dir, name), text);
    written.push(join(dir, name));
  };
  if (json) await write('latest.json', `${JSON.stringify(results, null, 2)}\n`);
  await write('latest.md', `# compose-lb benchmarks\n\n${resultsMarkdown(results, '')}`);
  const scaling = chartInput(results);
  if (scaling !== undefined) await write(CHART_FILE, scalingChartSvg(scaling));
  const slow = slowReplicaChartInput(results);
  if (slow !== undefined) await write(SLOW_REPLICA_CHART_FILE, barChartSvg(slow));
  return written;
}
