import type { ScalingResult } from '../scenarios/scaling';
import type { SlowReplicaResult } from '../scenarios/slow-replica';
import { BALANCING_TARGETS } from '../targets';
import { fixed, int, latency, pct, times } from './format';
import { OTHERS_NOTE } from './overhead-tables';
import type { Table } from './text-table';

const labelOf = (id: string): string => BALANCING_TARGETS.find((t) => t.id === id)?.label ?? id;

/** Rows N, one column per target: req/s and its share of ideal. */
export function scalingTable(r: ScalingResult): Table {
  const targets = [...new Set(r.points.map((p) => p.target))];
  return {
    title: `Scaling: serial replicas (${r.delayMs} ms each, ideal ${1000 / r.delayMs} req/s per replica), ${r.connectionsPerReplica} connections per replica, ${r.durationSec} s per run`,
    headers: ['Replicas', 'ideal req/s', ...targets.map(labelOf)],
    rows: r.replicaCounts.map((n) => {
      const at = r.points.filter((p) => p.replicas === n);
      return [
        String(n),
        int(at[0]?.ideal),
        ...targets.map((t) => {
          const p = at.find((x) => x.target === t);
          return p === undefined ? '–' : `${fixed(p.reqPerSec)} (${times(p.ofIdeal)})`;
        }),
      ];
    }),
    notes: ['Cells: req/s (share of ideal).'],
  };
}

export function scalingDetailTable(r: ScalingResult): Table {
  return {
    title: 'Scaling detail: latency and per-replica share (from the X-Replica header)',
    headers: ['Replicas', 'Target', 'req/s', '× ideal', 'p50', 'p99', 'queue floor', 'share min–max', 'others\' CPU', 'failures'],
    align: ['right', 'left'],
    rows: r.points.map((p) => [
      String(p.replicas),
      labelOf(p.target),
      fixed(p.reqPerSec),
      times(p.ofIdeal),
      latency(p.p50Us),
      latency(p.p99Us),
      latency(p.queueFloorUs),
      `${fixed(p.shareMin, 2)}–${fixed(p.shareMax, 2)}`,
      pct(p.othersCpuPct),
      int(p.failures),
    ]),
    notes: [
      'queue floor: the mean latency a perfect balancer gives at these connections (connections / ideal throughput).',
      'share: requests a replica served as a multiple of a fair share (1.00 = total / N).',
      OTHERS_NOTE,
    ],
  };
}

/** `slow 6.2 % · 31.5 · 31.2 · 31.1`: the slow replica first, then the others, biggest first. */
function sharesText(shares: Readonly<Record<string, number>>, slowId: string): string {
  const others = Object.entries(shares)
    .filter(([id]) => id !== slowId)
    .map(([, share]) => share)
    .sort((a, b) => b - a);
  return [`slow ${pct(100 * (shares[slowId] ?? 0), 1)}`, ...others.map((s) => fixed(100 * s))].join(' · ');
}

export function slowReplicaTables(r: SlowReplicaResult): Table[] {
  const fair = 100 / r.replicas;
  const row = (x: SlowReplicaResult['rows'][number], withPhase: boolean): string[] => [
    labelOf(x.target),
    ...(withPhase ? [x.phase] : []),
    fixed(x.reqPerSec),
    latency(x.p50Us),
    latency(x.p99Us),
    sharesText(x.shares, r.slowReplica),
    pct(x.othersCpuPct),
    int(x.failures),
  ];
  const setting = `${r.replicas} serial replicas (${r.delayMs} ms a request, one ${r.slowFactor}× slower: ${r.delayMs * r.slowFactor} ms), ${r.connections} connections`;
  return [
    {
      title: `Slow replica: ${setting}, ${r.durationSec} s`,
      headers: ['Target', 'req/s', 'p50', 'p99', 'share of requests, %', "others' CPU", 'failures'],
      rows: r.rows.filter((x) => x.run === 'steady').map((x) => row(x, false)),
      notes: [
        `Shares from the X-Replica header: the slow replica first (its fair share is ${fixed(fair)} %), then the others.`,
        `Ideal throughput: ${fixed(((r.replicas - 1) * 1000) / r.delayMs + 1000 / (r.delayMs * r.slowFactor))} req/s (every replica busy all the time).`,
      ],
    },
    {
      title: `Slow replica, changing: ${setting}; all fast for ${r.changingSec / 2} s, one slow for ${r.changingSec / 4} s, recovered for ${r.changingSec / 4} s, in one run`,
      headers: ['Target', 'Phase', 'req/s', 'p50', 'p99', 'share of requests, %', "others' CPU", 'failures'],
      align: ['left', 'left'],
      rows: r.rows.filter((x) => x.run === 'changing').map((x) => row(x, true)),
      notes: ['The replica is slowed and restored under load (PUT /delay on the demo app); each phase counts the responses that arrived in it.', OTHERS_NOTE],
    },
  ];
}
