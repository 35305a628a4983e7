import { niceMax } from './scaling-chart';
import { COLOURS, escapeXml, px, svgOpen } from './svg';

/** One panel: a group of bars per target, one bar per series, against one axis. */
export interface BarPanel {
  readonly title: string;
  /** The axis' unit, e.g. `ms` or `% of requests`. */
  readonly unit: string;
  readonly series: readonly string[];
  readonly groups: readonly { readonly label: string; readonly values: readonly (number | undefined)[] }[];
  /** A dashed line across the panel, e.g. a fair share. */
  readonly reference?: { readonly value: number; readonly label: string };
}

export interface BarChartInput {
  readonly title: string;
  readonly subtitle: string;
  readonly panels: readonly BarPanel[];
}

const LABELS = 180;
const PANEL_W = 330;
const GAP = 40;
const BAR = 9;
const GROUP_GAP = 12;
const TOP = 64;

/**
 * Panels side by side, each with horizontal bars grouped by target and its
 * own axis and legend. Hand-written SVG, pure: same input, same bytes.
 */
export function barChartSvg(input: BarChartInput): string {
  const rows = Math.max(0, ...input.panels.map((p) => p.groups.length));
  const bars = Math.max(1, ...input.panels.map((p) => p.series.length));
  const legendH = 16 * bars + 8;
  const plotH = rows * (bars * BAR + GROUP_GAP);
  const width = LABELS + input.panels.length * (PANEL_W + GAP);
  const height = TOP + 24 + legendH + plotH + 40;
  const out = svgOpen(width, height, 12, input.title, input.subtitle);
  const plotTop = TOP + 24 + legendH;
  input.panels[0]?.groups.forEach((g, i) => {
    const y = plotTop + i * (bars * BAR + GROUP_GAP) + (bars * BAR) / 2 + 4;
    out.push(`<text x="${LABELS - 8}" y="${px(y)}" text-anchor="end">${escapeXml(g.label)}</text>`);
  });
  input.panels.forEach((panel, p) => out.push(...drawPanel(panel, LABELS + p * (PANEL_W + GAP), plotTop, plotH, bars)));
  out.push('</svg>', '');
  return out.join('\n');
}

function drawPanel(panel: BarPanel, left: number, plotTop: number, plotH: number, bars: number): string[] {
  const values = panel.groups.flatMap((g) => g.values.filter((v): v is number => v !== undefined));
  const max = niceMax(Math.max(panel.reference?.value ?? 0, ...values) * 1.05, 4);
  const x = (v: number): number => left + (v / max) * PANEL_W;
  const out = [`<text x="${left}" y="${TOP + 14}" font-weight="bold">${escapeXml(panel.title)}</text>`];
  panel.series.forEach((name, s) => {
    const y = TOP + 30 + s * 16;
    out.push(
      `<rect x="${left}" y="${y - 9}" width="14" height="10" fill="${COLOURS[s % COLOURS.length] ?? '#000'}"/>`,
      `<text x="${left + 20}" y="${y}">${escapeXml(name)}</text>`,
    );
  });
  for (let i = 0; i <= 4; i++) {
    const v = (max / 4) * i;
    out.push(
      `<line x1="${px(x(v))}" x2="${px(x(v))}" y1="${plotTop}" y2="${plotTop + plotH}" stroke="#e5e5e5"/>`,
      `<text x="${px(x(v))}" y="${plotTop + plotH + 16}" text-anchor="middle">${escapeXml(String(Math.round(v * 10) / 10))}</text>`,
    );
  }
  out.push(`<text x="${left + PANEL_W / 2}" y="${plotTop + plotH + 34}" text-anchor="middle">${escapeXml(panel.unit)}</text>`);
  panel.groups.forEach((g, i) => {
    g.values.forEach((v, s) => {
      if (v === undefined) return;
      const y = plotTop + i * (bars * BAR + GROUP_GAP) + s * BAR;
      out.push(`<rect x="${left}" y="${px(y)}" width="${px(x(v) - left)}" height="${BAR - 1}" fill="${COLOURS[s % COLOURS.length] ?? '#000'}"/>`);
    });
  });
  out.push(`<line x1="${left}" x2="${left}" y1="${plotTop}" y2="${plotTop + plotH}" stroke="#333"/>`);
  if (panel.reference !== undefined) {
    const rx = px(x(panel.reference.value));
    out.push(
      `<line x1="${rx}" x2="${rx}" y1="${plotTop - 4}" y2="${plotTop + plotH}" stroke="#333" stroke-width="1.5" stroke-dasharray="6 4"/>`,
      `<text x="${rx}" y="${plotTop - 8}" text-anchor="middle" fill="#333">${escapeXml(panel.reference.label)}</text>`,
    );
  }
  return out;
}
