import { barChartSvg, type BarChartInput } from '../../../bench/report/bar-chart';
import { niceMax, scalingChartSvg, type ChartInput } from '../../../bench/report/scaling-chart';

const input: ChartInput = {
  title: 'Throughput vs replicas',
  subtitle: '2026-11-27 · AMD EPYC <2 cores> & more',
  replicaCounts: [1, 2, 4, 8, 16],
  idealPerReplica: 10,
  series: [
    { label: 'compose-lb round-robin', points: [[1, 9.9], [2, 19.8], [4, 39.6], [8, 79], [16, 158]] },
    { label: 'HAProxy leastconn', points: [[1, 9.9], [16, 159]] },
  ],
};

/** The x,y pairs of every polyline, in order. */
function polylines(svg: string): number[][][] {
  return [...svg.matchAll(/<polyline points="([^"]*)"/g)].map(([, pts = '']) =>
    pts.split(' ').map((p) => p.split(',').map(Number)),
  );
}

describe('niceMax', () => {
  it.each([
    [161, 200],
    [100, 100],
    [9.9, 10],
    [0, 5],
    [1234, 1250],
  ])('rounds %d up to %d', (max, nice) => {
    expect(niceMax(max)).toBe(nice);
  });
});

describe('scalingChartSvg', () => {
  const svg = scalingChartSvg(input);
  const [first, second, ideal] = polylines(svg);

  it('is a standalone SVG that is the same for the same input', () => {
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(scalingChartSvg(input)).toBe(svg);
  });

  it('draws the ideal (dashed) and one line per series, with a legend entry each', () => {
    expect(polylines(svg)).toHaveLength(3);
    expect(svg).toMatch(/stroke-dasharray="6 4"\/>/);
    expect(svg).toContain('>ideal (10 × N)</text>');
    expect(svg).toContain('>compose-lb round-robin</text>');
    expect(svg).toContain('>HAProxy leastconn</text>');
  });

  it('spaces replica counts evenly (log2) and puts higher throughput higher', () => {
    const xs = (ideal ?? []).map(([x]) => x ?? 0);
    const steps = xs.slice(1).map((x, i) => x - (xs[i] ?? 0));
    for (const step of steps) expect(step).toBeCloseTo(steps[0] ?? 0, 0);
    const ys = (first ?? []).map(([, y]) => y ?? 0);
    expect([...ys].sort((a, b) => b - a)).toEqual(ys);
    expect(second).toHaveLength(2);
  });

  it('escapes text', () => {
    expect(svg).toContain('AMD EPYC &lt;2 cores&gt; &amp; more');
    expect(svg).not.toContain('<2 cores>');
  });

  it('copes with a single replica count', () => {
    const one = scalingChartSvg({ ...input, replicaCounts: [1], series: [{ label: 'x', points: [[1, 9]] }] });
    expect(one).not.toContain('NaN');
  });
});

describe('barChartSvg', () => {
  const bars: BarChartInput = {
    title: 'Slow <replica>',
    subtitle: 'a & b',
    panels: [
      { title: 'Latency', unit: 'ms', series: ['p50', 'p99'], groups: [{ label: 'A', values: [10, 40] }, { label: 'B', values: [20, undefined] }] },
      { title: 'Share', unit: '%', series: ['steady'], groups: [{ label: 'A', values: [5] }, { label: 'B', values: [25] }], reference: { value: 25, label: 'fair share' } },
    ],
  };

  it('draws a bar per value given, scaled to its panel, and the reference line', () => {
    const svg = barChartSvg(bars);
    const widths = [...svg.matchAll(/<rect x="[^"]+" y="[^"]+" width="([^"]+)" height="8"/g)].map(([, w]) => Number(w));
    // Latency axis up to 80 (4 ticks of 20 cover 42), share axis up to 40 (4 of 10 cover 26.25); 330 px each.
    expect(widths).toEqual([41.3, 165, 82.5, 41.3, 206.3]);
    expect(svg).toContain('stroke-dasharray="6 4"');
    expect(svg).toContain('fair share');
  });

  it('escapes text and is the same for the same input', () => {
    const svg = barChartSvg(bars);
    expect(svg).toContain('Slow &lt;replica&gt;');
    expect(svg).toContain('a &amp; b');
    expect(barChartSvg(bars)).toBe(svg);
  });
});
