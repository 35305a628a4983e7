import { FULL_PLAN } from '../../../bench/plan';
import type { BenchResults } from '../../../bench/results';
import { summarizeOverhead, type OverheadRun } from '../../../bench/scenarios/overhead-summary';
import type { ScalingPoint } from '../../../bench/scenarios/scaling-summary';
import { OVERHEAD_TARGETS } from '../../../bench/targets';

const overheadRun = (target: string, reqPerSec: number, p99Us: number): OverheadRun => ({
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
  proxyCpuMs: target === 'direct' ? undefined : 4000,
  replicaCpuMs: 1500,
  loadCpuMs: 4000,
  othersCpuPct: 0.5,
  othersBy: '',
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

/** A small but complete run, for the report tests. */
export function sampleResults(): BenchResults {
  const runs = [
    overheadRun('direct', 60_000, 2_000),
    overheadRun('haproxy-roundrobin', 30_000, 4_000),
    overheadRun('plain-http-proxy', 13_000, 7_000),
    overheadRun('compose-lb-round-robin', 12_000, 9_000),
  ];
  return {
    date: '2026-11-27T06:00:00.000Z',
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
    overhead: { connections: 50, warmupSec: 3, durationSec: 10, rounds: 1, path: '/fast', runs, rows: summarizeOverhead(OVERHEAD_TARGETS, runs), profile: undefined },
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
      replicas: [
        { replica: 'aaaaaaaaaaaa', startedAtMs: 6_300, bootMs: 50, readyToFirstRequestMs: 12, startToFirstRequestMs: 62, requests: 100 },
        { replica: 'bbbbbbbbbbbb', startedAtMs: 6_500, bootMs: 40, readyToFirstRequestMs: 1_010, startToFirstRequestMs: 1_050, requests: 80 },
      ],
      events: [],
      balancerWarnings: [],
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
