import type { LoadResult } from '../../../bench/load/load-types';
import { newReplicaLatencies, rotationTimes } from '../../../bench/scenarios/churn-summary';
import { interleave, summarizeOverhead, type OverheadRun } from '../../../bench/scenarios/overhead-summary';
import { scalingPoint } from '../../../bench/scenarios/scaling-summary';
import { BALANCING_TARGETS, OVERHEAD_TARGETS } from '../../../bench/targets';

function run(target: string, round: number, reqPerSec: number, extra: Partial<OverheadRun> = {}): OverheadRun {
  return {
    round,
    target,
    requests: reqPerSec * 10,
    durationSec: 10,
    reqPerSec,
    p50Us: 1000,
    p99Us: 2000,
    non2xx: 0,
    errors: 0,
    timeouts: 0,
    proxy: target === 'direct' ? undefined : { userMs: 4000, systemMs: 1000, voluntary: 50_000, involuntary: 10_000 },
    replicaCpuMs: 2000,
    loadCpuMs: 5000,
    othersCpuPct: round,
    othersBy: '',
    ...extra,
  };
}

describe('interleave', () => {
  it('rotates the order each round, so no target always goes first', () => {
    expect([0, 1, 2, 3].map((r) => interleave(['a', 'b', 'c'], r).join(''))).toEqual(['abc', 'bca', 'cab', 'abc']);
    expect(interleave([], 2)).toEqual([]);
  });
});

describe('summarizeOverhead', () => {
  const runs = [
    ...[60_000, 66_000, 63_000].map((r, i) => run('direct', i + 1, r)),
    ...[30_000, 31_000, 29_000].map((r, i) => run('haproxy-roundrobin', i + 1, r, { p99Us: 4000 })),
    ...[10_000, 10_000, 10_000].map((r, i) => run('plain-http-proxy', i + 1, r)),
    ...[15_000, 1_000, 15_500].map((r, i) => run('compose-lb-round-robin', i + 1, r, { p99Us: 7000, errors: i })),
  ];
  const rows = summarizeOverhead(OVERHEAD_TARGETS, runs);
  const row = (id: string) => rows.find((r) => r.target === id);

  it('takes the median of the rounds, so one bad round does not move the figure', () => {
    expect(row('compose-lb-round-robin')?.reqPerSec).toBe(15_000);
    expect(row('direct')?.reqPerSec).toBe(63_000);
  });

  it('compares every target with direct, HAProxy and the plain script', () => {
    const lb = row('compose-lb-round-robin');
    expect(lb?.vsHaproxy).toBeCloseTo(0.5, 5);
    expect(lb?.vsPlain).toBeCloseTo(1.5, 5);
    expect(lb?.vsDirect).toBeCloseTo(15 / 63, 5);
    expect(lb?.p99VsHaproxy).toBeCloseTo(1.75, 5);
    expect(row('haproxy-roundrobin')?.vsHaproxy).toBe(1);
  });

  it('gives CPU and context switches per request, none for the proxy of the direct target, and the load generator share', () => {
    expect(row('plain-http-proxy')?.proxyUsPerReq).toBeCloseTo(50, 5);
    expect(row('plain-http-proxy')?.proxySysUsPerReq).toBeCloseTo(10, 5);
    expect(row('plain-http-proxy')?.voluntaryPerReq).toBeCloseTo(0.5, 5);
    expect(row('plain-http-proxy')?.involuntaryPerReq).toBeCloseTo(0.1, 5);
    expect(row('plain-http-proxy')?.replicaUsPerReq).toBeCloseTo(20, 5);
    expect(row('direct')?.proxyUsPerReq).toBeUndefined();
    expect(row('direct')?.involuntaryPerReq).toBeUndefined();
    expect(row('direct')?.loadCpuPct).toBeCloseTo(50, 5);
  });

  it("sets the proxy's CPU against the replica's of the same round, so a machine that slowed down for a round moves neither", () => {
    const slow = [run('plain-http-proxy', 1, 10_000), run('plain-http-proxy', 2, 5_000, { proxy: { userMs: 8000, systemMs: 2000, voluntary: 0, involuntary: 0 }, replicaCpuMs: 4000 })];
    const [plain] = summarizeOverhead(OVERHEAD_TARGETS, slow).filter((r) => r.target === 'plain-http-proxy');
    expect(plain?.proxyPerReplicaCpu).toBeCloseTo(2.5, 5);
    expect(row('direct')?.proxyPerReplicaCpu).toBeUndefined();
  });

  it('holds a TCP-mode target (the Node relay too) against HAProxy in mode tcp, and every target against the plain undici proxy', () => {
    const tcpRuns = [
      ...runs,
      run('plain-undici-proxy', 1, 12_000),
      run('haproxy-tcp', 1, 40_000, { p99Us: 1000 }),
      run('plain-tcp-relay', 1, 32_000),
      run('compose-lb-tcp', 1, 36_000, { p99Us: 1500 }),
    ];
    const all = summarizeOverhead(OVERHEAD_TARGETS, tcpRuns);
    const tcp = all.find((r) => r.target === 'compose-lb-tcp');
    expect(tcp?.vsHaproxy).toBeCloseTo(0.9, 5);
    expect(all.find((r) => r.target === 'plain-tcp-relay')?.vsHaproxy).toBeCloseTo(0.8, 5);
    expect(tcp?.p99VsHaproxy).toBeCloseTo(1.5, 5);
    expect(all.find((r) => r.target === 'compose-lb-round-robin')?.vsUndici).toBeCloseTo(15 / 12, 5);
  });

  it('adds up the failures of every round, and keeps the busiest round of the machine', () => {
    expect(row('compose-lb-round-robin')?.failures).toBe(0 + 1 + 2);
    expect(row('compose-lb-round-robin')?.othersCpuPct).toBe(3);
  });
});

function load(replicas: Record<string, number>, reqPerSec: number): LoadResult {
  return {
    requests: reqPerSec * 10,
    durationSec: 10,
    reqPerSec,
    non2xx: 1,
    errors: 2,
    timeouts: 0,
    statusCodes: {},
    errorCodes: {},
    latency: { count: 0, meanUs: 0, p50Us: 400_000, p90Us: 0, p99Us: 450_000, maxUs: 0 },
    loadCpuMs: 0,
    replicas: Object.fromEntries(Object.entries(replicas).map(([id, count]) => [id, { count, firstSentAt: 0, firstDoneAt: 0 }])),
    startedAt: 0,
    phases: [],
  };
}

describe('scalingPoint', () => {
  it('compares with the ideal and shows how evenly the replicas were used', () => {
    const p = scalingPoint('compose-lb-round-robin', ['a', 'b', 'c', 'd'], 16, 100, load({ a: 110, b: 90, c: 100, d: 100 }, 39.6));
    expect(p.ideal).toBe(40);
    expect(p.ofIdeal).toBeCloseTo(0.99, 5);
    expect(p.shareMin).toBeCloseTo(0.9, 5);
    expect(p.shareMax).toBeCloseTo(1.1, 5);
    expect(p.queueFloorUs).toBeCloseTo(400_000, 0);
    expect(p.failures).toBe(3);
  });

  it('counts a replica that served nothing as a zero share', () => {
    const p = scalingPoint('haproxy-leastconn', ['a', 'b'], 8, 100, load({ a: 200 }, 20));
    expect(p.perReplica).toEqual({ a: 200, b: 0 });
    expect(p.shareMin).toBe(0);
    expect(p.shareMax).toBe(2);
  });

  it('has a target for every strategy compose-lb has, and both HAProxy balances', () => {
    expect(BALANCING_TARGETS.map((t) => t.id)).toEqual([
      'compose-lb-round-robin',
      'compose-lb-least-conn',
      'compose-lb-p2c',
      'haproxy-roundrobin',
      'haproxy-leastconn',
    ]);
  });
});

describe('newReplicaLatencies', () => {
  const events = [
    { atMs: 10_000, id: 'aaaaaaaaaaaa0000', action: 'create', service: 'web' },
    { atMs: 10_100, id: 'aaaaaaaaaaaa0000', action: 'start', service: 'web' },
    { atMs: 10_180, id: 'bbbbbbbbbbbb0000', action: 'create', service: 'web' },
    { atMs: 10_200, id: 'bbbbbbbbbbbb0000', action: 'start', service: 'web' },
    { atMs: 10_300, id: 'cccccccccccc0000', action: 'start', service: 'lb' },
  ];
  const listeningAt = new Map([
    ['aaaaaaaaaaaa', 10_150],
    ['bbbbbbbbbbbb', 10_260],
  ]);
  const logs = { listeningAt, firstRequestAt: new Map([['aaaaaaaaaaaa', 10_170]]) };
  const tallies = { aaaaaaaaaaaa: { count: 5 } };
  const inRotation = new Map([['aaaaaaaaaaaa', 10_162]]);

  it('measures boot, ready -> in rotation, ready -> first request and start -> first request per started replica of the service', () => {
    expect(newReplicaLatencies(events, logs, tallies, 9_000, 'web', inRotation)).toEqual([
      {
        replica: 'aaaaaaaaaaaa',
        startedAtMs: 1_100,
        bootMs: 50,
        readyToFirstRequestMs: 20,
        readyToRotationMs: 12,
        startToFirstRequestMs: 70,
        requests: 5,
      },
      {
        replica: 'bbbbbbbbbbbb',
        startedAtMs: 1_200,
        bootMs: 60,
        readyToFirstRequestMs: undefined,
        readyToRotationMs: undefined,
        startToFirstRequestMs: undefined,
        requests: 0,
      },
    ]);
  });

  it("reads when the balancer put a replica in rotation from its log: the first 'replica accepts connections' line per container", () => {
    const line = (atMs: number, msg: string, fields: Record<string, unknown>) => ({ atMs, level: 'info', msg, fields });
    const log = [
      line(1, 'replica draining', { id: 'aaaaaaaaaaaa' }),
      line(2, 'replica accepts connections', { replica: 'web-1', id: 'aaaaaaaaaaaa' }),
      line(3, 'replica accepts connections', { replica: 'web-2', id: 'bbbbbbbbbbbb' }),
      line(4, 'replica accepts connections', { replica: 'web-1', id: 'aaaaaaaaaaaa' }),
      line(5, 'replica accepts connections', { replica: 'web-3' }),
    ];
    expect(rotationTimes(log)).toEqual(new Map([['aaaaaaaaaaaa', 2], ['bbbbbbbbbbbb', 3]]));
  });

  it('leaves out a container that was there before the load and restarted: its log holds its first boot', () => {
    const restarted = [...events, { atMs: 10_400, id: 'dddddddddddd0000', action: 'start', service: 'web' }];
    const old = { ...logs, listeningAt: new Map([...listeningAt, ['dddddddddddd', 1_000]]) };
    expect(newReplicaLatencies(restarted, old, tallies, 9_000, 'web', inRotation).map((r) => r.replica)).toEqual(['aaaaaaaaaaaa', 'bbbbbbbbbbbb']);
  });

  it("times the first request by the replica's own log, not by when a held request was sent or answered", () => {
    // A request held by the balancer was sent before the replica listened, and answered well after.
    const [a] = newReplicaLatencies(events, { ...logs, firstRequestAt: new Map([['aaaaaaaaaaaa', 10_180]]) }, tallies, 9_000, 'web', inRotation);
    expect(a).toMatchObject({ readyToFirstRequestMs: 30, startToFirstRequestMs: 80 });
  });
});
