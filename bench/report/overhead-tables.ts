import type { OverheadResult } from '../scenarios/overhead';
import type { ProfiledProxy, ProfileResult } from '../scenarios/profile-proxies';
import { ROUTING_IDS, type RoutingResult } from '../scenarios/routing';
import { ratio } from '../stats';
import { fixed, int, latency, pct, signedPct, times } from './format';
import type { Table } from './text-table';

export const OTHERS_NOTE =
  "others' CPU: what processes outside the bench used meanwhile, as a share of one CPU (the most in any round); above a few % the figures are suspect.";

export function overheadTable(r: OverheadResult): Table {
  return {
    title: `Overhead: one replica answering at once, ${r.connections} connections, ${r.rounds} interleaved rounds of ${r.durationSec} s (median)`,
    headers: ['Target', 'req/s', 'p50', 'p99', '× direct', '× HAProxy', '× plain', '× undici', 'load gen CPU', "others' CPU", 'failures'],
    rows: r.rows.map((row) => [
      row.label,
      int(row.reqPerSec),
      latency(row.p50Us),
      latency(row.p99Us),
      times(row.vsDirect),
      times(row.vsHaproxy),
      times(row.vsPlain),
      times(row.vsUndici),
      pct(row.loadCpuPct),
      pct(row.othersCpuPct),
      int(row.failures),
    ]),
    notes: [
      '× HAProxy: against the HAProxy doing the same work (mode http; mode tcp for the TCP rows). × plain, × undici: against the plain http-proxy script and the plain undici proxy (test/fixtures/proxies).',
      'TCP rows: the same HTTP load through proxies that pipe bytes unread (LB_MODE=tcp; HAProxy mode tcp; the plain Node TCP relay, test/fixtures/proxies).',
      'load gen CPU: share of CPU 0 autocannon used; near 100 % the load generator, not the target, set the pace.',
      OTHERS_NOTE,
    ],
  };
}

export function overheadCostTable(r: OverheadResult): Table {
  return {
    title: 'Overhead: what each request costs the proxy (median of the rounds)',
    headers: ['Target', 'proxy CPU µs/req', 'of which kernel', 'replica CPU µs/req', 'proxy ÷ replica CPU', 'voluntary switches/req', 'involuntary switches/req'],
    rows: r.rows.map((row) => [
      row.label,
      fixed(row.proxyUsPerReq),
      fixed(row.proxySysUsPerReq),
      fixed(row.replicaUsPerReq),
      times(row.proxyPerReplicaCpu),
      fixed(row.voluntaryPerReq, 3),
      fixed(row.involuntaryPerReq, 3),
    ]),
    notes: [
      'CPU: utime + stime of /proc/PID/stat per request; kernel: stime alone (system calls, and the TCP delivery to the peer that a send does on loopback and veth). The proxy and the replica share CPU 1.',
      "proxy ÷ replica CPU: the proxy's CPU over the replica's in the same round (median of the rounds). The replica does the same work behind every proxy, so this ratio stays put when the whole machine slows down for a while, which req/s and µs/req do not.",
      'Switches: voluntary_ctxt_switches and nonvoluntary_ctxt_switches of every thread (/proc/PID/task/*/status). Voluntary: the proxy waited (epoll). Involuntary: the scheduler took CPU 1 away, mostly for the replica it had just woken.',
    ],
  };
}

export function wireTable(r: OverheadResult): Table {
  const notCounted = r.syscallsUnavailable === undefined ? [] : [`System calls not counted: ${r.syscallsUnavailable}.`];
  return {
    title: `Overhead: system calls and TCP segments per request (each proxy once more, ${r.countSec} s, counted)`,
    headers: ['Target', 'syscalls', 'reads', 'writes', 'epoll waits', 'req per wait', 'most frequent', 'segs to client', 'ACKs to client', 'segs to replica', 'ACKs to replica', 'req/s counted'],
    rows: r.wire.map((w) => [
      w.label,
      fixed(w.syscallsPerReq, 2),
      fixed(w.readsPerReq, 2),
      fixed(w.writesPerReq, 2),
      fixed(w.waitsPerReq, 3),
      fixed(w.requestsPerWait),
      w.topCalls || '–',
      fixed(w.toClientDataSegsPerReq, 2),
      fixed(w.toClientAcksPerReq, 2),
      fixed(w.toReplicaDataSegsPerReq, 2),
      fixed(w.toReplicaAcksPerReq, 2),
      `${int(w.countedReqPerSec)} (${times(w.countedVsMeasured)})`,
    ]),
    notes: [
      "System calls: `perf stat -e raw_syscalls:sys_enter -e 'syscalls:sys_enter_*' -p PID`, counted in the kernel, per request answered. reads: read, readv, recvfrom, recvmsg; writes: write, writev, sendto, sendmsg; epoll waits: epoll_wait and epoll_pwait. /proc/PID/io (syscr, syscw) would miss HAProxy's recvfrom and sendto: it counts only calls that go through the VFS.",
      'Segments: what the proxy\'s sockets sent, from tcp_info (`ss -ti`: data_segs_out; ACKs = segs_out - data_segs_out), read twice while the load runs, per response between the readings.',
      'req/s counted: while perf counted, and its ratio to the measured median: what counting cost the proxy.',
      ...notCounted,
    ],
  };
}

export function routingTable(r: RoutingResult): Table {
  const one = r.rows.find((row) => row.target === ROUTING_IDS.oneRule);
  return {
    title: `Routing: ${r.rules} host rules against 1, the request matching the last (Host: ${r.host}), ${r.connections} connections, ${r.rounds} interleaved rounds of ${r.durationSec} s (median)`,
    headers: ['Balancer', 'req/s', 'p50', 'p99', 'proxy CPU µs/req', 'req/s vs 1 rule', 'CPU/req vs 1 rule', "others' CPU", 'failures'],
    rows: r.rows.map((row) => [
      row.label,
      int(row.reqPerSec),
      latency(row.p50Us),
      latency(row.p99Us),
      fixed(row.proxyUsPerReq),
      signedPct(ratio(row.reqPerSec, one?.reqPerSec)),
      signedPct(ratio(row.proxyUsPerReq, one?.proxyUsPerReq)),
      pct(row.othersCpuPct),
      int(row.failures),
    ]),
    notes: [
      'The balancers run on the host, pinned to CPU 1 with the replica; the same request reaches the same replica through each. The A/A control is the 1-rule balancer again, in its own process: how far two identical processes differ in this run.',
      `The router alone (Router.match in a loop, ${int(r.router.matches)} matches, the request for the last host): ${fixed(r.router.oneRuleNs / 1000, 3)} µs with 1 rule, ${fixed(r.router.manyRulesNs / 1000, 3)} µs with ${r.rules}.`,
      OTHERS_NOTE,
    ],
  };
}

/** A category's share of the busy samples turned into CPU microseconds per request. */
function usPerRequest(proxy: ProfiledProxy, category: string): number {
  const share = proxy.summary.categories.find((c) => c.category === category)?.selfPct ?? 0;
  return (share / 100) * proxy.cpuUsPerReq;
}

export function profileTables(p: ProfileResult): Table[] {
  const { composeLb: lb, references } = p;
  const all = [...references, lb];
  const categories = [...new Set(all.flatMap((proxy) => proxy.summary.categories.map((c) => c.category)))];
  const rows = categories.map((c) => ({ c, costs: all.map((proxy) => usPerRequest(proxy, c)) })).sort((a, b) => (b.costs.at(-1) ?? 0) - (a.costs.at(-1) ?? 0));
  return [
    {
      title: 'Where the time goes: CPU µs per request by kind of work, each proxy profiled alone on CPU 1',
      headers: ['Work', ...all.map((proxy) => proxy.label)],
      rows: [
        ...rows.map((r) => [r.c, ...r.costs.map((n) => fixed(n))]),
        ['total (CPU time / requests)', ...all.map((proxy) => fixed(proxy.cpuUsPerReq))],
        ['req/s while profiled', ...all.map((proxy) => int(proxy.reqPerSec))],
      ],
      notes: [
        'Self time of each kind (V8 --cpu-prof, busy samples) times the CPU per request measured in the same run; profiling itself costs a little. The replica moves to CPU 0 for these runs, so a proxy is never preempted by it.',
        `Flame graphs: ${all.map((proxy) => proxy.files.flameGraph).join(', ')}; raw profiles (*.cpuprofile, not committed) open in Chrome DevTools or speedscope.`,
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
