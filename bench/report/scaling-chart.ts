import { COLOURS, escapeXml, px, svgOpen } from './svg';

export interface ChartSeries {
  readonly label: string;
  /** [replicas, req/s] */
  readonly points: readonly (readonly [number, number])[];
}

export interface ChartInput {
  readonly title: string;
  readonly subtitle: string;
  readonly replicaCounts: readonly number[];
  /** req/s per replica a perfect balancer reaches. */
  readonly idealPerReplica: number;
  readonly series: readonly ChartSeries[];
}

const W = 760;
const H = 460;
const M = { left: 70, right: 210, top: 64, bottom: 56 };

/** A round axis maximum at or above `max`: 1, 2, 2.5, 4 or 5 times a power of ten, times the tick count. */
export function niceMax(max: number, ticks = 5): number {
  if (!(max > 0)) return ticks;
  const raw = max / ticks;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 4, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  return step * ticks;
}

/**
 * Throughput against replicas, the ideal as a dashed line, one line per
 * target. Replicas on a log2 axis (1, 2, 4...), so each doubling is one step.
 * Hand-written SVG, pure: same input, same bytes.
 */
export function scalingChartSvg(input: ChartInput): string {
  const counts = [...input.replicaCounts].sort((a, b) => a - b);
  const lo = Math.log2(counts[0] ?? 1);
  const hi = Math.log2(counts.at(-1) ?? 1);
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const measured = input.series.flatMap((s) => s.points.map(([, y]) => y));
  const yMax = niceMax(Math.max(input.idealPerReplica * (counts.at(-1) ?? 1), ...measured) * 1.02);
  const x = (n: number): number => M.left + (hi === lo ? plotW / 2 : ((Math.log2(n) - lo) / (hi - lo)) * plotW);
  const y = (v: number): number => M.top + plotH - (v / yMax) * plotH;
  const line = (pts: readonly (readonly [number, number])[]): string => pts.map(([n, v]) => `${px(x(n))},${px(y(v))}`).join(' ');

  const out: string[] = svgOpen(W, H, M.left, input.title, input.subtitle);
  for (let i = 0; i <= 5; i++) {
    const v = (yMax / 5) * i;
    out.push(
      `<line x1="${M.left}" x2="${M.left + plotW}" y1="${px(y(v))}" y2="${px(y(v))}" stroke="#e5e5e5"/>`,
      `<text x="${M.left - 8}" y="${px(y(v) + 4)}" text-anchor="end">${escapeXml(String(Math.round(v)))}</text>`,
    );
  }
  for (const n of counts) {
    out.push(`<text x="${px(x(n))}" y="${M.top + plotH + 18}" text-anchor="middle">${n}</text>`);
  }
  out.push(
    `<line x1="${M.left}" x2="${M.left + plotW}" y1="${M.top + plotH}" y2="${M.top + plotH}" stroke="#333"/>`,
    `<line x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${M.top + plotH}" stroke="#333"/>`,
    `<text x="${M.left + plotW / 2}" y="${H - 14}" text-anchor="middle">replicas</text>`,
    `<text transform="translate(18 ${M.top + plotH / 2}) rotate(-90)" text-anchor="middle">requests per second</text>`,
  );
  const ideal = counts.map((n) => [n, n * input.idealPerReplica] as const);
  const legend: [string, string, boolean][] = [[`ideal (${input.idealPerReplica} × N)`, '#333', true]];
  // Targets often coincide: earlier series are drawn wider, so each stays visible under the next.
  const count = input.series.length;
  input.series.forEach((s, i) => {
    const colour = COLOURS[i % COLOURS.length] ?? '#000';
    const width = 2 + 2.5 * (count - 1 - i);
    out.push(`<polyline points="${line(s.points)}" fill="none" stroke="${colour}" stroke-width="${width}" stroke-linejoin="round"/>`);
    for (const [n, v] of s.points) out.push(`<circle cx="${px(x(n))}" cy="${px(y(v))}" r="${px(width / 2 + 1.5)}" fill="${colour}"/>`);
    legend.push([s.label, colour, false]);
  });
  // The ideal on top: the measured lines sit on or just under it.
  out.push(`<polyline points="${line(ideal)}" fill="none" stroke="#333" stroke-width="1.5" stroke-dasharray="6 4"/>`);
  legend.forEach(([label, colour, dashed], i) => {
    const ly = M.top + 10 + i * 22;
    const lx = W - M.right + 20;
    out.push(
      `<line x1="${lx}" x2="${lx + 26}" y1="${ly}" y2="${ly}" stroke="${colour}" stroke-width="3"${dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
      `<text x="${lx + 34}" y="${ly + 4}">${escapeXml(label)}</text>`,
    );
  });
  out.push('</svg>', '');
  return out.join('\n');
}
