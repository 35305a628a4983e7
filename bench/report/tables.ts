import type { BenchResults } from '../results';
import type { ChurnResult } from '../scenarios/churn';
import type { MemoryResult } from '../scenarios/memory';
import type { OverheadResult } from '../scenarios/overhead';
import type { ProfiledProxy, ProfileResult } from '../scenarios/profile-proxies';
import type { ScalingResult } from '../scenarios/scaling';
import { SCALING_TARGETS } from '../targets';
import { fixed, int, latency, ms, pct, times } from './format';
import { goalsTable } from './goals';
import type { Table } from './text-table';

const OTHERS_NOTE =
  "others' CPU: what processes outside the bench used meanwhile, as a share of one CPU (the most in any round); above a few % the figures are suspect.";

export function overheadTable(r: OverheadResult): Table {
  return {
    title: `Overhead: one replica answering at once, ${r.connections} connections, ${r.rounds} interleaved rounds of ${r.durationSec} s (median)`,
    headers: ['Target', 'req/s', 'p50', 'p99', '× direct', '× HAProxy', '× plain', 'proxy µs/req', 'replica µs/req', 'load gen CPU', 'others\' CPU', 'failures'],
    rows: r.rows.map((row) => [
      row.label,
      int(row.reqPerSec),
      latency(row.p50Us),
      latency(row.p99Us),
      times(row.vsDirect),
      times(row.vsHaproxy),
      times(row.vsPlain),
      fixed(row.proxyUsPerReq),
      fixed(row.replicaUsPerReq),
      pct(row.loadCpuPct),
      pct(row.othersCpuPct),
      int(row.failures),
    ]),
    notes: [
      'µs/req: CPU time (user + system, /proc/PID/stat) the process used per request; the proxy and the replica share CPU 1.',
      'load gen CPU: share of CPU 0 autocannon used; near 100 % the load generator, not the target, set the pace.',
      OTHERS_NOTE,
    ],
  };
}

const labelOf = (id: string): string => SCALING_TARGETS.find((t) => t.id === id)?.label ?? id;

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

export function churnTables(r: ChurnResult): Table[] {
  const failures = r.non2xx + r.errors + r.timeouts;
  const codes = Object.entries(r.statusCodes).map(([c, n]) => `${c}: ${int(n)}`).join(', ');
  const errs = Object.entries(r.errorCodes).map(([c, n]) => `${c}: ${int(n)}`).join(', ');
  const summary: Table = {
    title: `Churn: ${r.connections} connections through compose-lb ${r.strategy} (app answers in ${r.delayMs} ms) while the service scales 2 -> 8 -> 1 -> 4 and a replica is killed`,
    headers: ['Requests', 'req/s', 'non-2xx', 'socket errors', 'timeouts', 'failed', 'others\' CPU'],
    align: ['right'],
    rows: [
      [
        int(r.requests),
        int(r.reqPerSec),
        int(r.non2xx),
        int(r.errors),
        int(r.timeouts),
        pct((100 * failures) / Math.max(1, r.requests), 3),
        pct(r.othersCpuPct),
      ],
    ],
    notes: [`Status codes: ${codes || 'none'}.${errs ? ` Errors: ${errs}.` : ''}`],
  };
  const steps: Table = {
    title: 'Churn timeline (ms after the load started)',
    headers: ['At', 'Change', 'Command took'],
    align: ['right', 'left', 'right'],
    rows: r.steps.map((s) => [ms(s.atMs), s.action, ms(s.tookMs)]),
  };
  const replicas: Table = {
    title: 'New replicas: how soon they got traffic',
    headers: ['Replica', 'Started at', 'Start -> listening', 'Listening -> first request', 'Start -> first request', 'Requests served'],
    rows: r.replicas.map((x) => [
      x.replica,
      ms(x.startedAtMs),
      ms(x.bootMs),
      x.requests === 0 ? 'never' : ms(x.readyToFirstRequestMs),
      x.requests === 0 ? 'never' : ms(x.startToFirstRequestMs),
      int(x.requests),
    ]),
    notes: [
      'Started at: the start event, after the load began. Listening: the app\'s own "listening" log line (its boot takes that long; it can serve from then on).',
      'First request: when the first request it answered was sent (its response time subtracted).',
    ],
  };
  return [summary, steps, replicas];
}

export function memoryTable(r: MemoryResult): Table {
  return {
    title: `Memory: compose-lb RSS over ${int(r.requests)} requests (${r.connections} connections, after ${int(r.warmupRequests)} warm-up requests)`,
    headers: ['Requests', 'RSS MB'],
    rows: [
      ['after warm-up', fixed(r.rssAfterWarmupMb)],
      ...r.samples.map((s) => [int(s.requests), fixed(s.rssMb)]),
      ['idle 3 s later', fixed(r.rssIdleMb)],
    ],
    notes: [
      `Growth: ${r.growthMb >= 0 ? '+' : ''}${fixed(r.growthMb)} MB (${pct(r.growthPct, 1)}); max ${fixed(r.rssMaxMb)} MB; trend ${r.trendMbPer100k >= 0 ? '+' : ''}${fixed(r.trendMbPer100k, 2)} MB per 100,000 requests; ${int(r.reqPerSec)} req/s; ${int(r.failures)} failures; others' CPU ${pct(r.othersCpuPct)}.`,
    ],
  };
}

/** A category's share of the busy samples turned into CPU microseconds per request. */
function usPerRequest(proxy: ProfiledProxy, category: string): number {
  const share = proxy.summary.categories.find((c) => c.category === category)?.selfPct ?? 0;
  return (share / 100) * proxy.cpuUsPerReq;
}

export function profileTables(p: ProfileResult): Table[] {
  const { composeLb: lb, plain } = p;
  const categories = [...new Set([...lb.summary.categories, ...plain.summary.categories].map((c) => c.category))];
  const rows = categories
    .map((c) => ({ c, plain: usPerRequest(plain, c), lb: usPerRequest(lb, c) }))
    .sort((a, b) => b.lb - a.lb);
  const signed = (n: number): string => `${n >= 0 ? '+' : ''}${fixed(n)}`;
  return [
    {
      title: 'Where the time goes: CPU µs per request by kind of work, each proxy profiled alone on CPU 1',
      headers: ['Work', 'plain script', 'compose-lb', 'difference'],
      rows: [
        ...rows.map((r) => [r.c, fixed(r.plain), fixed(r.lb), signed(r.lb - r.plain)]),
        ['total (CPU time / requests)', fixed(plain.cpuUsPerReq), fixed(lb.cpuUsPerReq), signed(lb.cpuUsPerReq - plain.cpuUsPerReq)],
        ['req/s while profiled', int(plain.reqPerSec), int(lb.reqPerSec), ''],
      ],
      notes: [
        'Self time of each kind (V8 --cpu-prof, busy samples) times the CPU per request measured in the same run; profiling itself costs a little.',
        `Flame graphs: ${lb.files.flameGraph}, ${plain.files.flameGraph}; raw profiles (*.cpuprofile, not committed) open in Chrome DevTools or speedscope.`,
      ],
    },
    {
      title: `compose-lb: self time by function (${int(lb.summary.samples)} samples, ${pct(lb.summary.idlePct, 1)} idle)`,
      headers: ['Self %', 'Function', 'Where', 'Module'],
      align: ['right', 'left', 'left', 'left'],
      rows: lb.summary.top.slice(0, 15).map((f) => [fixed(f.selfPct), f.name, f.location, f.module]),
    },
    {
      title: 'compose-lb: by module (share of busy samples)',
      headers: ['Module', 'Self %', 'Inclusive %'],
      rows: lb.summary.modules.slice(0, 15).map((m) => [m.module, fixed(m.selfPct), fixed(m.inclusivePct)]),
    },
  ];
}

/**
 * Every table of a run, in reading order; `brief` keeps the headline ones (the
 * README's), leaving the detail to latest.md. Pure.
 */
export function allTables(results: BenchResults, brief = false): Table[] {
  const tables: Table[] = [];
  const goals = goalsTable(results);
  if (goals) tables.push(goals);
  if (results.overhead) tables.push(overheadTable(results.overhead));
  if (results.scaling) tables.push(scalingTable(results.scaling), ...(brief ? [] : [scalingDetailTable(results.scaling)]));
  if (results.churn) {
    const [summary, timeline, replicas] = churnTables(results.churn);
    tables.push(...(brief ? [summary, replicas] : [summary, timeline, replicas]).filter((t): t is Table => t !== undefined));
  }
  if (results.memory) tables.push(memoryTable(results.memory));
  if (results.overhead?.profile) {
    const profile = profileTables(results.overhead.profile);
    tables.push(...(brief ? profile.slice(0, 1) : profile));
  }
  return tables;
}
