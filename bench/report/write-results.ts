import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BenchResults } from '../results';
import { CHART_FILE, chartInput, resultsMarkdown } from './markdown';
import { scalingChartSvg } from './scaling-chart';

/**
 * Writes latest.json (every figure; left as it is when only rendering again),
 * latest.md (the tables) and the chart; returns the paths written.
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
  const chart = chartInput(results);
  if (chart !== undefined) await write(CHART_FILE, scalingChartSvg(chart));
  return written;
}
