import { int, latency, pct, times } from '../../../bench/report/format';
import { goalsTable } from '../../../bench/report/goals';
import { chartInput, README_BEGIN, README_END, resultsMarkdown, runLine, slowReplicaChartInput, spliceReadme } from '../../../bench/report/markdown';
import { profileTables } from '../../../bench/report/overhead-tables';
import { allTables } from '../../../bench/report/tables';
import type { ProfiledProxy } from '../../../bench/scenarios/profile-proxies';
import { renderMarkdown, renderText, type Table } from '../../../bench/report/text-table';
import { summarizeOverhead } from '../../../bench/scenarios/overhead-summary';
import { OVERHEAD_TARGETS } from '../../../bench/targets';
import { overheadRun, sampleResults } from './sample-results';

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
      'overhead: req/s ≥ 0.8× HAProxy (moonshot)': ['0.40×', 'NO'],
      "overhead: p99 ≤ 2× HAProxy's": ['2.25×', 'NO'],
      'overhead: req/s ≥ 1.8× the plain http-proxy script': ['0.92×', 'NO'],
      'overhead: req/s ≥ 0.9× the plain undici proxy': ['0.86×', 'NO'],
      'overhead: proxy CPU µs per request reported for every proxy': ['compose-lb 33.3 µs (of which kernel 8.3)', 'yes'],
      // Against HAProxy in mode tcp, not the HTTP one.
      'overhead, TCP: LB_MODE=tcp req/s ≥ 0.9× HAProxy mode tcp': ['0.95×', 'yes'],
      // 38,000 against the relay's 34,000; the relay's 34,000 against HAProxy tcp's 40,000.
      'overhead, TCP: LB_MODE=tcp req/s ≥ 0.9× the plain Node TCP relay': ['1.12×; relay: 0.85× HAProxy tcp', 'yes'],
      'routing: 20 host rules (the last matching): req/s within 3 % of 1 rule': ['-2.0 % req/s, +2.0 % CPU per request', 'yes'],
      // (250 - 60) ns against the 33.3 µs a request costs with one rule.
      "routing: the router alone: 20 rules add under 3 % to a request's CPU": ['0.19 µs more per match, 0.57 % of 33.3 µs', 'yes'],
      // 11,400 against 12,000: two identical processes 5 % apart, more than the 3 % the first row asks to resolve.
      'routing: A/A control: two identical 1-rule balancers within 3 % (else the first row is unresolved)': [
        '-5.0 % req/s, +5.3 % CPU per request',
        'NO',
      ],
      // least-conn's worst N (0.985) beats round-robin's (0.96), so it is the best strategy.
      'scaling: ≥ 0.97× ideal at every N, best strategy': ['0.98× at worst (least-conn)', 'yes'],
      // p2c has the lowest p99 of the compose-lb strategies in the steady run.
      "slow-replica: best compose-lb strategy: p99 ≤ HAProxy leastconn's": ['p2c 99 ms vs 104 ms', 'yes'],
      'slow-replica: best compose-lb strategy: the slow replica gets less than its fair share (25 %)': ['p2c 6.2 %', 'yes'],
      'churn: zero errors': ['0 of 9,000', 'yes'],
      'churn: new replicas serving within 100 ms of listening': ['slowest 1,010 ms', 'NO'],
      // Kill by kill: 14 - 4 and 76 - 6.
      'churn: discovery adds < 50 ms from a kill to draining': ['median 40 ms, slowest 70 ms (2 kills)', 'yes'],
      'memory: RSS after 1,000,000 requests within 10 % of after warm-up': ['+4.0 MB (4.0 %)', 'yes'],
      "all: quiet machine: others' CPU ≤ 5 % of a CPU in every run (else figures are suspect)": [
        '12.0 % at most (scaling 4 compose-lb-round-robin: node (4242) 1200 ms)',
        'NO',
      ],
    });
  });

  it('shows how the ratios moved round by round, once there are enough rounds to tell', () => {
    const results = sampleResults();
    const overhead = results.overhead;
    if (overhead === undefined) throw new Error('the sample has an overhead run');
    // compose-lb against HAProxy at 0.30, 0.40, 0.50, 0.60 and 0.70 in rounds 1 to 5: quartiles 0.40 and 0.60.
    const runs = [1, 2, 3, 4, 5].flatMap((round) => [
      overheadRun('haproxy-roundrobin', 10_000, 4_000, { round }),
      overheadRun('compose-lb-round-robin', 1_000 * (round + 2), 9_000, { round }),
    ]);
    const rows = summarizeOverhead(OVERHEAD_TARGETS, runs);
    const row = goalsTable({ ...results, overhead: { ...overhead, runs, rows } })?.rows.find(([, goal]) => goal === 'req/s ≥ 0.5× HAProxy');
    // The ratio of the medians (5,000 against 10,000), then the spread of the rounds' own ratios.
    expect(row?.[2]).toBe("0.50× (rounds' IQR 0.40–0.60)");
    // The sample's single round: nothing to spread.
    expect(goalsTable(results)?.rows.find(([, goal]) => goal === 'req/s ≥ 0.5× HAProxy')?.[2]).toBe('0.40×');
  });

  it('names the phases of the churn run that failed', () => {
    const results = sampleResults();
    const churn = results.churn;
    if (churn === undefined) throw new Error('the sample has a churn run');
    const [steady, scale] = churn.phases;
    if (steady === undefined || scale === undefined) throw new Error('the sample has two phases');
    const failing = { ...results, churn: { ...churn, errors: 2, phases: [steady, { ...scale, errors: 2, errorCodes: { ECONNRESET: 2 } }] } };
    const row = goalsTable(failing)?.rows.find(([, goal]) => goal === 'zero errors');
    expect(row?.slice(2)).toEqual(['2 of 9,000 (in: scale 2 -> 8)', 'NO']);
  });

  it('has nothing to check when no scenario ran', () => {
    const { overhead, routing, scaling, slowReplica, churn, memory, ...rest } = sampleResults();
    void [overhead, routing, scaling, slowReplica, churn, memory];
    expect(goalsTable(rest)).toBeUndefined();
  });
});

describe('markdown results', () => {
  it('says when and on what, and links the chart and the JSON from where it is read', () => {
    const md = resultsMarkdown(sampleResults(), 'bench/results/');
    expect(md).toMatch(/^Run 2026-11-27 06:00 UTC, .* Measured 2026-11-27 on AMD EPYC, 2 cores/);
    expect(md).toContain('HAProxy 2.6.12');
    expect(md).toContain('![Throughput vs replicas](bench/results/scaling.svg)');
    expect(md).toContain("![Latency and the slow replica's share](bench/results/slow-replica.svg)");
    expect(md).toContain('(bench/results/latest.json)');
    for (const t of allTables(sampleResults())) expect(md).toContain(`### ${t.title}`);
  });

  it('puts each chart right after its table', () => {
    const md = resultsMarkdown(sampleResults(), '');
    const after = (title: string, image: string): boolean => md.indexOf(image) > md.indexOf(title) && md.indexOf(image) < md.indexOf('###', md.indexOf(title) + 4);
    expect(after('### Scaling:', '(scaling.svg)')).toBe(true);
    expect(after('### Slow replica:', '(slow-replica.svg)')).toBe(true);
  });

  it('charts the slow replica: latency in the steady run, its share in every phase against the fair share', () => {
    const input = slowReplicaChartInput(sampleResults());
    const [latencies, shares] = input?.panels ?? [];
    expect(latencies?.groups.find((g) => g.label === 'compose-lb p2c')?.values).toEqual([20, 99]);
    expect(shares?.reference).toEqual({ value: 25, label: 'fair share' });
    expect(shares?.groups.find((g) => g.label === 'compose-lb p2c')?.values).toEqual([6.2, 25, 5, 20]);
    // A target without a changing run has no bars there.
    const haproxy = shares?.groups.find((g) => g.label === 'HAProxy leastconn')?.values;
    expect(haproxy?.[0]).toBeCloseTo(6.8, 10);
    expect(haproxy?.slice(1)).toEqual([undefined, undefined, undefined]);
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

  it('turns each kind of work into µs per request, the references first, compose-lb last', () => {
    const [costs] = profileTables({
      composeLb: proxy('compose-lb', 60, { writes: 30, 'Node http': 50, "the proxy's own code": 20 }),
      references: [proxy('plain-http-proxy', 50, { writes: 40, 'Node http': 60 }), proxy('plain-undici-proxy', 40, { writes: 50, undici: 50 })],
    });
    expect(costs?.headers).toEqual(['Work', 'plain-http-proxy', 'plain-undici-proxy', 'compose-lb']);
    expect(costs?.rows).toEqual([
      ['Node http', '30.0', '0.0', '30.0'],
      ['writes', '20.0', '20.0', '18.0'],
      ["the proxy's own code", '0.0', '0.0', '12.0'],
      ['undici', '0.0', '20.0', '0.0'],
      ['total (CPU time / requests)', '50.0', '40.0', '60.0'],
      ['req/s while profiled', '20,000', '25,000', '16,667'],
    ]);
  });
});

describe('brief markdown (the README)', () => {
  it('has the goals, the scaling chart and where the rest is, and no other table', () => {
    const brief = resultsMarkdown(sampleResults(), 'bench/results/', true);
    expect(brief).toContain('### Goals, met or not');
    expect(brief.match(/^### /gm)).toHaveLength(1);
    expect(brief).toContain('![Throughput vs replicas](bench/results/scaling.svg)');
    expect(brief).toContain('[bench/README.md](bench/README.md)');
  });

  it('says when the run started, with what command, and how long it took', () => {
    const brief = resultsMarkdown(sampleResults(), 'bench/results/', true);
    expect(brief).toContain('Run 2026-11-27 06:00 UTC, `npm run bench -- --profile --readme`, 35 min.');
  });

  it('leaves out what results from before the command was kept do not say', () => {
    const { command: _command, durationSec: _duration, ...old } = sampleResults();
    expect(runLine(old)).toBe('Run 2026-11-27 06:00 UTC.');
  });
});
