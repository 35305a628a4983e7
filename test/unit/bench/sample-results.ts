import { FULL_PLAN } from '../../../bench/plan';
import type { BenchResults } from '../../../bench/results';
import { summarizeOverhead, type OverheadRun } from '../../../bench/scenarios/overhead-summary';
import { summarizeWire, type CountedRun } from '../../../bench/scenarios/overhead-wire';
import type { ScalingPoint } from '../../../bench/scenarios/scaling-summary';
import { PHASES, type SlowReplicaRow } from '../../../bench/scenarios/slow-replica-summary';
import { OVERHEAD_TARGETS } from '../../../bench/targets';

export const overheadRun = (target: string, reqPerSec: number, p99Us: number, extra: Partial<OverheadRun> = {}): OverheadRun => ({
  round: 1,
  target,
  requests: reqPerSec * 10,
  durationSec: 10,
  reqPerSec,
  p50Us: p99Us / 3,
  p99Us,
  non2xx: 0,
  errors: 0,
  timeouts: 0,
  proxy: target === 'direct' ? undefined : { userMs: 3000, systemMs: 1000, voluntary: reqPerSec / 10, involuntary: reqPerSec },
  replicaCpuMs: 1500,
  loadCpuMs: 4000,
  othersCpuPct: 0.5,
  othersBy: '',
  ...extra,
});

const point = (target: string, replicas: number, ofIdeal: number): ScalingPoint => ({
  target,
  replicas,
  connections: 4 * replicas,
  reqPerSec: 10 * replicas * ofIdeal,
  ideal: 10 * replicas,
  ofIdeal,
  p50Us: 400_000,
  p99Us: 420_000,
  queueFloorUs: 400_000,
  failures: 0,
  perReplica: {},
  shareMin: 0.98,
  shareMax: 1.02,
  othersCpuPct: replicas === 4 ? 12 : 0,
  othersBy: replicas === 4 ? 'node (4242) 1200 ms' : '',
});

const slowRow = (target: string, run: SlowReplicaRow['run'], phase: string, p99Us: number, slowShare: number): SlowReplicaRow => ({
  target,
  run,
  phase,
  durationSec: 10,
  reqPerSec: 250,
  p50Us: 20_000,
  p99Us,
  shares: { slow: slowShare, a: (1 - slowShare) / 3, b: (1 - slowShare) / 3, c: (1 - slowShare) / 3 },
  slowShare,
  failures: 0,
  othersCpuPct: 0.2,
});

const counted: CountedRun = {
  target: 'compose-lb-round-robin',
  requests: 10_000,
  reqPerSec: 2_000,
  syscalls: { '(all)': 44_000, read: 20_000, write: 10_000, writev: 10_000, epoll_pwait: 700, futex: 3_300 },
  windowResponses: 8_000,
  toClient: { segsOut: 8_100, dataSegsOut: 8_000 },
  toReplica: { segsOut: 8_800, dataSegsOut: 8_000 },
};

/** A small but complete run, for the report tests. */
export function sampleResults(): BenchResults {
  const runs = [
    overheadRun('direct', 60_000, 2_000),
    overheadRun('haproxy-roundrobin', 30_000, 4_000),
    overheadRun('plain-http-proxy', 13_000, 7_000),
    overheadRun('plain-undici-proxy', 14_000, 7_000),
    overheadRun('compose-lb-round-robin', 12_000, 9_000),
    overheadRun('haproxy-tcp', 40_000, 3_000),
    overheadRun('compose-lb-tcp', 38_000, 3_500),
  ];
  const rows = summarizeOverhead(OVERHEAD_TARGETS, runs);
  const routingRuns = [overheadRun('one-rule', 12_000, 9_000), overheadRun('many-rules', 11_760, 9_100)];
  return {
    date: '2026-11-27T06:00:00.000Z',
    command: 'npm run bench -- --profile --readme',
    durationSec: 2_100,
    quick: false,
    machine: {
      cpuModel: 'AMD EPYC',
      cores: 2,
      memoryGb: 24,
      kernel: '6.1.0',
      node: 'v20.19.0',
      haproxy: '2.6.12',
      docker: '20.10.24',
      compose: '2.26.1',
      autocannon: '9.0.0',
      pinning: 'load generator on CPU 0; proxies and replicas on CPU 1',
    },
    plan: FULL_PLAN,
    overhead: {
      connections: 50,
      warmupSec: 3,
      durationSec: 10,
      rounds: 1,
      path: '/fast',
      runs,
      rows,
      countSec: 5,
      syscallsUnavailable: undefined,
      counted: [counted],
      wire: summarizeWire(OVERHEAD_TARGETS, (id) => rows.find((r) => r.target === id)?.reqPerSec, [counted]),
      profile: undefined,
    },
    routing: {
      rules: 20,
      host: 'r20.bench.test',
      connections: 50,
      durationSec: 10,
      rounds: 1,
      runs: routingRuns,
      rows: summarizeOverhead(
        [
          { id: 'one-rule', label: 'compose-lb, 1 host rule' },
          { id: 'many-rules', label: 'compose-lb, 20 host rules' },
        ],
        routingRuns,
      ),
    },
    scaling: {
      replicaCounts: [1, 2, 4],
      connectionsPerReplica: 4,
      delayMs: 100,
      warmupSec: 2,
      durationSec: 10,
      points: [1, 2, 4].flatMap((n) => [
        point('compose-lb-round-robin', n, n === 4 ? 0.96 : 0.99),
        point('compose-lb-least-conn', n, 0.985),
        point('haproxy-roundrobin', n, 0.99),
        point('haproxy-leastconn', n, 0.99),
      ]),
    },
    slowReplica: {
      replicas: 4,
      slowFactor: 5,
      delayMs: 10,
      connections: 8,
      warmupSec: 3,
      durationSec: 15,
      changingSec: 24,
      slowReplica: 'slow',
      rows: [
        slowRow('compose-lb-round-robin', 'steady', PHASES.steady, 400_000, 0.25),
        slowRow('compose-lb-least-conn', 'steady', PHASES.steady, 120_000, 0.078),
        slowRow('compose-lb-p2c', 'steady', PHASES.steady, 99_000, 0.062),
        slowRow('haproxy-leastconn', 'steady', PHASES.steady, 104_000, 0.068),
        slowRow('compose-lb-p2c', 'changing', PHASES.before, 25_000, 0.25),
        slowRow('compose-lb-p2c', 'changing', PHASES.slow, 98_000, 0.05),
        slowRow('compose-lb-p2c', 'changing', PHASES.after, 26_000, 0.2),
      ],
    },
    churn: {
      connections: 32,
      strategy: 'round-robin',
      delayMs: 100,
      durationSec: 30,
      requests: 9_000,
      reqPerSec: 300,
      non2xx: 0,
      errors: 0,
      timeouts: 0,
      statusCodes: { '200': 9_000 },
      errorCodes: {},
      steps: [{ action: 'scale 2 -> 8', atMs: 6_000, tookMs: 1_700 }],
      phases: [
        {
          name: 'steady at 2 replicas',
          startMs: 0,
          durationSec: 6,
          responses: 1_800,
          non2xx: 0,
          errors: 0,
          timeouts: 0,
          errorCodes: {},
          p99Us: 102_000,
          slowestUs: 110_000,
          holds: 0,
          longestHoldMs: undefined,
        },
        {
          name: 'scale 2 -> 8',
          startMs: 6_000,
          durationSec: 24,
          responses: 7_200,
          non2xx: 0,
          errors: 0,
          timeouts: 0,
          errorCodes: {},
          p99Us: 104_000,
          slowestUs: 900_000,
          holds: 1,
          longestHoldMs: 780,
        },
      ],
      replicas: [
        { replica: 'aaaaaaaaaaaa', startedAtMs: 6_300, bootMs: 50, readyToFirstRequestMs: 12, startToFirstRequestMs: 62, requests: 100 },
        { replica: 'bbbbbbbbbbbb', startedAtMs: 6_500, bootMs: 40, readyToFirstRequestMs: 1_010, startToFirstRequestMs: 1_050, requests: 80 },
      ],
      events: [],
      drains: [
        {
          layout: 'socket',
          balancer: 'lb-round-robin',
          delays: [
            { replica: 'aaaaaaaaaaaa', killAtMs: 1_000, delayMs: 4 },
            { replica: 'bbbbbbbbbbbb', killAtMs: 2_000, delayMs: 6 },
          ],
        },
        {
          layout: 'discovery',
          balancer: 'lb-discovery-fed',
          delays: [
            { replica: 'aaaaaaaaaaaa', killAtMs: 1_000, delayMs: 14 },
            { replica: 'bbbbbbbbbbbb', killAtMs: 2_000, delayMs: 76 },
          ],
        },
      ],
      balancerWarnings: [],
      balancerLog: undefined,
      othersCpuPct: 0.1,
      othersBy: '',
    },
    memory: {
      connections: 50,
      warmupRequests: 100_000,
      requests: 1_000_000,
      reqPerSec: 11_000,
      failures: 0,
      rssAfterWarmupMb: 100,
      samples: [
        { requests: 500_000, rssMb: 103 },
        { requests: 1_000_000, rssMb: 104 },
      ],
      rssMaxMb: 104,
      rssFinalMb: 104,
      rssIdleMb: 104,
      growthMb: 4,
      growthPct: 4,
      trendMbPer100k: 0.2,
      othersCpuPct: 0,
      othersBy: '',
    },
  };
}
