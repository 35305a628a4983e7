import type { ChurnResult } from '../scenarios/churn';
import { addedDelay, delaySummary } from '../scenarios/churn-summary';
import { int, latency, ms, pct } from './format';
import type { Table } from './text-table';

const counts = (byCode: Readonly<Record<string, number>>): string =>
  Object.entries(byCode)
    .map(([code, n]) => `${code}: ${int(n)}`)
    .join(', ');

function summaryTable(r: ChurnResult): Table {
  const failures = r.non2xx + r.errors + r.timeouts;
  const errs = counts(r.errorCodes);
  const log = r.balancerLog === undefined ? [] : [`The balancer's whole log: ${r.balancerLog} (beside latest.json).`];
  return {
    title: `Churn: ${r.connections} connections through compose-lb ${r.strategy} (app answers in ${r.delayMs} ms) while the service scales 2 -> 8 -> 1 -> 4, a replica is killed, the service restarts, is recreated and rolled out`,
    headers: ['Requests', 'req/s', 'non-2xx', 'socket errors', 'timeouts', 'failed', "others' CPU"],
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
    notes: [`Status codes: ${counts(r.statusCodes) || 'none'}.${errs ? ` Errors: ${errs}.` : ''}`, ...log],
  };
}

function phasesTable(r: ChurnResult): Table {
  return {
    title: 'Churn, change by change (each phase lasts until the next change)',
    headers: ['At', 'Change', 'Command took', 'Responses', 'Failed', 'p99', 'Slowest response', 'Holding episodes', 'Longest hold'],
    align: ['right', 'left'],
    rows: r.phases.map((p) => {
      const took = r.steps.find((s) => s.action === p.name)?.tookMs;
      const failed = p.non2xx + p.errors + p.timeouts;
      const why = counts({ ...p.errorCodes, ...(p.non2xx > 0 ? { 'non-2xx': p.non2xx } : {}) });
      return [
        ms(p.startMs),
        p.name,
        ms(took),
        int(p.responses),
        failed === 0 ? '0' : `${int(failed)} (${why})`,
        latency(p.p99Us),
        latency(p.slowestUs),
        int(p.holds),
        ms(p.longestHoldMs),
      ];
    }),
    notes: [
      'At: ms after the load started. Failed: responses other than 2xx, socket errors and timeouts the load generator saw in the phase.',
      "Holding: the balancer's own log ('holding ended: no request is waiting for a replica', with heldMs): from the first request held to the last one sent. The slowest response is the client's view of the same wait.",
    ],
  };
}

function drainTable(r: ChurnResult): Table {
  const [socket, ...others] = r.drains;
  return {
    title: "Kill to drain: from Docker's kill event to the balancer's 'replica draining' line",
    headers: ['Layout', 'Balancer', 'Kills seen', 'Median', 'Slowest', 'Added to the socket layout (median, slowest)'],
    align: ['left', 'left'],
    rows: r.drains.map((d) => {
      const s = delaySummary(d.delays.map((x) => x.delayMs));
      const added = d === socket || socket === undefined ? undefined : addedDelay(socket.delays, d.delays);
      return [
        d.layout,
        d.balancer,
        int(s.count),
        ms(s.medianMs),
        ms(s.maxMs),
        added === undefined ? '–' : `${ms(added.medianMs)}, ${ms(added.maxMs)} (${int(added.count)} kills seen by both)`,
      ];
    }),
    notes: [
      `Every stop and kill of the churn run (scale-downs, the SIGKILL, the restart, the recreation, the rollout), seen by both balancers at once${others.length === 0 ? '' : '; discovery holds the socket for the second'}. Docker's timeNano and pino's time are this host's clock, in ms.`,
    ],
  };
}

function replicasTable(r: ChurnResult): Table {
  return {
    title: 'New replicas: how soon they got traffic',
    headers: ['Replica', 'Started at', 'Start -> listening', 'Listening -> in rotation', 'Listening -> first request', 'Start -> first request', 'Requests served'],
    rows: r.replicas.map((x) => [
      x.replica,
      ms(x.startedAtMs),
      ms(x.bootMs),
      ms(x.readyToRotationMs),
      x.requests === 0 ? 'never' : ms(x.readyToFirstRequestMs),
      x.requests === 0 ? 'never' : ms(x.startToFirstRequestMs),
      int(x.requests),
    ]),
    notes: [
      'Containers created during the load (a restarted one is not new). Started at: its first start event. Listening: the app\'s own "listening" log line (its boot takes that long; it can serve from then on).',
      'In rotation: the balancer\'s own line that a connection to the replica was accepted (pino\'s time); it sends requests to it from then on. It may come a few ms before "listening": the kernel accepts connections once the app listens, a moment before the app\'s callback writes the line.',
      'First request: when it reached the app, by the app\'s own "first request" log line, not when the client sent it (a request held while no replica was ready was sent before any new one listened) or when it was answered.',
      'The app\'s two times are the ones its lines carry (`at`, this host\'s clock): Docker stamps a line when it reads it, tens of milliseconds late on a busy host.',
    ],
  };
}

export function churnTables(r: ChurnResult): Table[] {
  return [summaryTable(r), phasesTable(r), drainTable(r), replicasTable(r)];
}
