import type { RecordedEvent } from '../../../bench/docker/event-recorder';
import type { PhaseResult } from '../../../bench/load/phase-recorder';
import {
  addedDelay,
  churnPhases,
  delaySummary,
  holdEpisodes,
  killToDrain,
  parseBalancerLog,
} from '../../../bench/scenarios/churn-summary';
import { summarizeWire, type CountedRun } from '../../../bench/scenarios/overhead-wire';
import { bestStrategy, slowReplicaRow } from '../../../bench/scenarios/slow-replica-summary';
import { OVERHEAD_TARGETS } from '../../../bench/targets';

const phase = (name: string, startedAt: number, extra: Partial<PhaseResult> = {}): PhaseResult => ({
  name,
  startedAt,
  durationSec: 10,
  responses: 1_000,
  non2xx: 0,
  errors: 0,
  timeouts: 0,
  errorCodes: {},
  latency: { count: 1_000, meanUs: 12_000, p50Us: 10_000, p90Us: 20_000, p99Us: 60_000, maxUs: 90_000 },
  replicas: {},
  ...extra,
});

describe('summarizeWire', () => {
  const counted: CountedRun = {
    target: 'haproxy-roundrobin',
    requests: 20_000,
    reqPerSec: 9_000,
    syscalls: { '(all)': 90_000, recvfrom: 40_000, sendto: 40_000, epoll_wait: 2_000, clock_gettime: 8_000 },
    windowResponses: 10_000,
    toClient: { segsOut: 10_100, dataSegsOut: 10_000 },
    toReplica: { segsOut: 10_500, dataSegsOut: 10_000 },
  };
  const [row] = summarizeWire(OVERHEAD_TARGETS, () => 10_000, [counted]);

  it('gives system calls per request, grouped under every name Node and HAProxy use', () => {
    expect(row).toMatchObject({ label: 'HAProxy roundrobin', syscallsPerReq: 4.5, readsPerReq: 2, writesPerReq: 2, waitsPerReq: 0.1, requestsPerWait: 10 });
    expect(row?.topCalls).toBe('recvfrom 2.00, sendto 2.00, clock_gettime 0.40, epoll_wait 0.10');
  });

  it('gives segments per response between the socket readings, pure ACKs apart', () => {
    expect(row).toMatchObject({ toClientDataSegsPerReq: 1, toClientAcksPerReq: 0.01, toReplicaDataSegsPerReq: 1, toReplicaAcksPerReq: 0.05 });
  });

  it('says how much counting slowed the proxy', () => {
    expect(row?.countedVsMeasured).toBeCloseTo(0.9, 10);
  });
});

describe('slow replica', () => {
  const replicas = { slow: 50, a: 150, b: 150, c: 150 };

  it('gives each replica its share of the responses, the slow one apart', () => {
    const row = slowReplicaRow('compose-lb-p2c', 'steady', phase('slow throughout', 0, { replicas }), ['slow', 'a', 'b', 'c', 'd'], 'slow', 0.3);
    expect(row).toMatchObject({ target: 'compose-lb-p2c', phase: 'slow throughout', reqPerSec: 100, p99Us: 60_000, slowShare: 0.1, othersCpuPct: 0.3 });
    // A replica that answered nothing is there, with a zero share.
    expect(row.shares).toEqual({ slow: 0.1, a: 0.3, b: 0.3, c: 0.3, d: 0 });
  });

  it('finds the compose-lb strategy with the lowest p99 of the steady run, and HAProxy leastconn beside it', () => {
    const row = (target: string, p99Us: number, run: 'steady' | 'changing' = 'steady') =>
      slowReplicaRow(target, run, phase('x', 0, { replicas, latency: { ...phase('x', 0).latency, p99Us } }), ['slow', 'a', 'b', 'c'], 'slow', 0);
    const rows = [row('compose-lb-round-robin', 400_000), row('compose-lb-p2c', 90_000), row('compose-lb-least-conn', 95_000), row('compose-lb-least-conn', 1_000, 'changing'), row('haproxy-leastconn', 99_000)];
    const { best, haproxy } = bestStrategy(rows, 'haproxy-leastconn');
    expect(best?.target).toBe('compose-lb-p2c');
    expect(haproxy?.p99Us).toBe(99_000);
  });
});

describe('churn: the balancer log', () => {
  const log = parseBalancerLog(
    [
      'not json',
      '{"level":"info","time":"2026-11-30T06:00:01.000Z","name":"compose-lb","replica":"p-web-1","id":"aaaaaaaaaaaa","inflight":2,"msg":"replica draining"}',
      '{"level":"warn","time":"2026-11-30T06:00:01.500Z","service":"web","holdMs":30000,"msg":"no replica is ready: holding requests"}',
      '{"level":"info","time":"2026-11-30T06:00:02.250Z","service":"web","heldMs":750,"tries":3,"msg":"holding ended: no request is waiting for a replica"}',
      '{"level":"info","time":"2026-11-30T06:00:09.000Z","id":"aaaaaaaaaaaa","msg":"replica draining"}',
    ].join('\n'),
  );
  const t = (s: string): number => Date.parse(`2026-11-30T06:00:${s}Z`);

  it('reads the JSON lines with their time, and skips anything else', () => {
    expect(log.map((l) => l.msg)).toEqual([
      'replica draining',
      'no replica is ready: holding requests',
      'holding ended: no request is waiting for a replica',
      'replica draining',
    ]);
    expect(log[0]?.atMs).toBe(t('01.000'));
  });

  it("measures from a container's first kill since it last started to each draining line", () => {
    const events: RecordedEvent[] = [
      { atMs: t('00.990'), id: 'aaaaaaaaaaaa0000', action: 'kill', service: 'web' },
      { atMs: t('00.995'), id: 'aaaaaaaaaaaa0000', action: 'kill', service: 'web' },
      { atMs: t('03.000'), id: 'aaaaaaaaaaaa0000', action: 'start', service: 'web' },
      { atMs: t('08.980'), id: 'aaaaaaaaaaaa0000', action: 'kill', service: 'web' },
      { atMs: t('08.990'), id: 'bbbbbbbbbbbb0000', action: 'kill', service: 'web' },
    ];
    expect(killToDrain(events, log)).toEqual([
      { replica: 'aaaaaaaaaaaa', killAtMs: t('00.990'), delayMs: 10 },
      { replica: 'aaaaaaaaaaaa', killAtMs: t('08.980'), delayMs: 20 },
    ]);
  });

  it('finds each holding episode and puts it in the phase in which it began', () => {
    expect(holdEpisodes(log)).toEqual([{ endedAtMs: t('02.250'), heldMs: 750 }]);
    const phases = churnPhases([phase('scale 8 -> 1', t('00.000')), phase('restart', t('10.000'))], holdEpisodes(log), t('00.000') - 6_000);
    expect(phases.map((p) => [p.name, p.startMs, p.holds, p.longestHoldMs, p.slowestUs])).toEqual([
      ['scale 8 -> 1', 6_000, 1, 750, 90_000],
      ['restart', 16_000, 0, undefined, 90_000],
    ]);
  });
});

describe('churn: kill-to-drain delays', () => {
  it('summarises delays, and what one layout adds to another kill by kill', () => {
    expect(delaySummary([5, 1, 30])).toEqual({ count: 3, medianMs: 5, maxMs: 30 });
    expect(delaySummary([])).toEqual({ count: 0, medianMs: undefined, maxMs: undefined });
    const socket = [
      { replica: 'a', killAtMs: 1, delayMs: 3 },
      { replica: 'b', killAtMs: 2, delayMs: 5 },
    ];
    const fed = [
      { replica: 'a', killAtMs: 1, delayMs: 13 },
      { replica: 'b', killAtMs: 2, delayMs: 45 },
      // Seen by this layout only: no pair, left out.
      { replica: 'c', killAtMs: 3, delayMs: 400 },
    ];
    expect(addedDelay(socket, fed)).toEqual({ count: 2, medianMs: 25, maxMs: 40 });
  });
});
