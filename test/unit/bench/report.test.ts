import { int, latency, pct, times } from '../../../bench/report/format';
import { goalsTable } from '../../../bench/report/goals';
import { chartInput, README_BEGIN, README_END, resultsMarkdown, spliceReadme } from '../../../bench/report/markdown';
import { allTables, profileTables } from '../../../bench/report/tables';
import type { ProfiledProxy } from '../../../bench/scenarios/profile-proxies';
import { renderMarkdown, renderText, type Table } from '../../../bench/report/text-table';
import { sampleResults } from './sample-results';

const table: Table = {
  title: 'T',
  headers: ['Target', 'req/s'],
  rows: [
    ['direct', '60,000'],
    ['a|b', '9'],
  ],
  notes: ['a note'],
};

describe('text tables', () => {
  it('pads columns, right-aligns numbers and rules the header', () => {
    expect(renderText(table)).toBe(['T', 'Target   req/s', '------  ------', 'direct  60,000', 'a|b          9', '  a note'].join('\n'));
  });

  it('renders the same table as markdown, escaping pipes', () => {
    expect(renderMarkdown(table)).toBe(
      ['### T', '', '| Target | req/s |', '| --- | ---: |', '| direct | 60,000 |', '| a\\|b | 9 |', '', 'a note  '].join('\n'),
    );
  });
});

describe('formats', () => {
  it.each([
    [420, '0.42 ms'],
    [12_400, '12 ms'],
    [1_234_000, '1.23 s'],
    [undefined, '–'],
  ])('latency %s µs reads %s', (us, text) => {
    expect(latency(us)).toBe(text);
  });

  it('formats counts, ratios and shares, with a dash for no figure', () => {
    expect(int(12345.6)).toBe('12,346');
    expect(times(0.456)).toBe('0.46×');
    expect(times(undefined)).toBe('–');
    expect(pct(12.34, 1)).toBe('12.3 %');
    expect(pct(Number.NaN)).toBe('–');
  });
});

describe('goalsTable', () => {
  it("checks every target of the issue against the run's figures", () => {
    const rows = goalsTable(sampleResults())?.rows ?? [];
    const met = Object.fromEntries(rows.map(([scenario, goal, measured, ok]) => [`${scenario}: ${goal}`, [measured, ok]]));
    expect(met).toEqual({
      'overhead: req/s ≥ 0.5× HAProxy': ['0.40×', 'NO'],
      'overhead: p99 ≤ 2× HAProxy': ['2.25×', 'NO'],
      'overhead: well ahead of the plain http-proxy script (≥ 1.5×)': ['0.92×', 'NO'],
      // least-conn's worst N (0.985) beats round-robin's (0.96), so it is the best strategy.
      'scaling: ≥ 0.97× ideal at every N, best strategy': ['0.98× at worst (least-conn)', 'yes'],
      'churn: zero errors': ['0 of 9,000', 'yes'],
      'churn: new replicas serving within 100 ms of listening': ['slowest 1,010 ms', 'NO'],
      'memory: RSS after 1,000,000 requests within 10 % of after warm-up': ['+4.0 MB (4.0 %)', 'yes'],
      "all: quiet machine: others' CPU ≤ 5 % of a CPU in every run (else figures are suspect)": [
        '12.0 % at most (scaling 4 compose-lb-round-robin: node (4242) 1200 ms)',
        'NO',
      ],
    });
  });

  it('has nothing to check when no scenario ran', () => {
    const { overhead, scaling, churn, memory, ...rest } = sampleResults();
    void [overhead, scaling, churn, memory];
    expect(goalsTable(rest)).toBeUndefined();
  });
});

describe('markdown results', () => {
  it('says when and on what, and links the chart and the JSON from where it is read', () => {
    const md = resultsMarkdown(sampleResults(), 'bench/results/');
    expect(md).toMatch(/^Measured 2026-11-27 on AMD EPYC, 2 cores/);
    expect(md).toContain('HAProxy 2.6.12');
    expect(md).toContain('![Throughput vs replicas](bench/results/scaling.svg)');
    expect(md).toContain('(bench/results/latest.json)');
    for (const t of allTables(sampleResults())) expect(md).toContain(`### ${t.title}`);
  });

  it('has one chart series per scaling target', () => {
    const input = chartInput(sampleResults());
    expect(input?.series.map((s) => s.label)).toEqual([
      'compose-lb round-robin',
      'compose-lb least-conn',
      'HAProxy roundrobin',
      'HAProxy leastconn',
    ]);
    expect(input?.series[0]?.points).toEqual([
      [1, 9.9],
      [2, 19.8],
      [4, 38.4],
    ]);
  });

  it('replaces only what stands between the README markers', () => {
    const readme = `# X\n\n## Benchmarks\n\n${README_BEGIN}\nold\n${README_END}\n\n## Next\n`;
    const once = spliceReadme(readme, 'new table\n');
    expect(once).toBe(`# X\n\n## Benchmarks\n\n${README_BEGIN}\n\nnew table\n\n${README_END}\n\n## Next\n`);
    expect(spliceReadme(once, 'new table')).toBe(once);
    expect(() => spliceReadme('# no markers', 'x')).toThrow(/BENCH:BEGIN/);
  });
});

describe('profile tables', () => {
  const proxy = (label: string, cpuUsPerReq: number, shares: Record<string, number>): ProfiledProxy => ({
    label,
    reqPerSec: 1e6 / cpuUsPerReq,
    cpuUsPerReq,
    summary: {
      samples: 1000,
      durationMs: 10_000,
      idlePct: 5,
      top: [{ name: 'writev', module: '(native)', location: '', selfPct: 30 }],
      modules: [{ module: '(native)', selfPct: 30, inclusivePct: 30 }],
      categories: Object.entries(shares).map(([category, selfPct]) => ({ category, selfPct })),
    },
    files: { profile: `${label}.cpuprofile`, flameGraph: `${label}-flame.svg` },
  });

  it('turns each kind of work into µs per request, side by side with the plain script', () => {
    const [costs] = profileTables({
      composeLb: proxy('compose-lb', 60, { writes: 30, 'Node http': 50, "the proxy's own code": 20 }),
      plain: proxy('plain-http-proxy', 50, { writes: 40, 'Node http': 60 }),
    });
    expect(costs?.rows).toEqual([
      ['Node http', '30.0', '30.0', '+0.0'],
      ['writes', '20.0', '18.0', '-2.0'],
      ["the proxy's own code", '0.0', '12.0', '+12.0'],
      ['total (CPU time / requests)', '50.0', '60.0', '+10.0'],
      ['req/s while profiled', '20,000', '16,667', ''],
    ]);
  });
});

describe('brief markdown (the README)', () => {
  it('keeps the headline tables and links the rest', () => {
    const all = allTables(sampleResults()).map((t) => t.title);
    const brief = allTables(sampleResults(), true).map((t) => t.title);
    expect(brief.length).toBeLessThan(all.length);
    expect(brief.every((t) => all.includes(t))).toBe(true);
    expect(brief.some((t) => t.startsWith('Scaling detail'))).toBe(false);
    expect(brief.some((t) => t.startsWith('Churn timeline'))).toBe(false);
    expect(resultsMarkdown(sampleResults(), 'bench/results/', true)).toContain('[bench/results/latest.md](bench/results/latest.md)');
  });
});
