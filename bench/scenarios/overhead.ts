import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchContext } from '../context';
import type { ContainerFacts } from '../docker/compose-stack';
import { startHaproxy } from '../host/haproxy';
import { freePort } from '../host/host-process';
import { startScriptProxy } from '../host/proxies';
import { readSockets, sentBetween } from '../host/socket-stats';
import { startSyscallCount, syscallCountingUnavailable } from '../host/syscall-count';
import { startLoad } from '../load/run-load';
import { loadStatus } from '../report/progress';
import { OVERHEAD_TARGETS, type Target } from '../targets';
import { balancerInFront, startFastReplica, type FastReplica } from './fast-replica';
import { summarizeOverhead, type OverheadRow, type OverheadRun } from './overhead-summary';
import { summarizeWire, type CountedRun, type WireRow } from './overhead-wire';
import { profileProxies, type ProfileResult } from './profile-proxies';
import { interleavedRounds, type Endpoint } from './rounds';

export interface OverheadResult {
  readonly connections: number;
  readonly warmupSec: number;
  readonly durationSec: number;
  readonly rounds: number;
  readonly path: string;
  readonly rows: readonly OverheadRow[];
  readonly runs: readonly OverheadRun[];
  readonly countSec: number;
  /** Why system calls were not counted (no working perf), if they were not. */
  readonly syscallsUnavailable: string | undefined;
  readonly counted: readonly CountedRun[];
  readonly wire: readonly WireRow[];
  readonly profile: ProfileResult | undefined;
}

const PATH = '/fast';

/**
 * One fast replica; the replica directly, HAProxy (HTTP and TCP mode), the two
 * plain Node proxies and compose-lb (HTTP and TCP mode) in front of it, all
 * proxies on the host pinned to CPU 1 with the replica, so each takes the same
 * path and gets the same CPU budget. Then each proxy once more with its system
 * calls counted, and, with --profile, profiled.
 */
export async function runOverhead(ctx: BenchContext): Promise<OverheadResult> {
  const plan = ctx.plan.overhead;
  try {
    const fast = await startFastReplica(ctx, 'overhead');
    const { replica } = fast;
    const endpoints = await startProxies(ctx, fast);
    const endpointOf = (id: string): Endpoint => {
      const endpoint = endpoints.get(id);
      if (endpoint === undefined) throw new Error(`no endpoint for ${id}`);
      return endpoint;
    };
    const runs = await interleavedRounds(ctx, {
      scenario: 'overhead',
      targets: OVERHEAD_TARGETS,
      endpoint: endpointOf,
      replicaPid: replica.pid,
      job: { path: PATH, connections: plan.connections },
      warmupSec: plan.warmupSec,
      durationSec: plan.durationSec,
      rounds: plan.rounds,
    });
    const rows = summarizeOverhead(OVERHEAD_TARGETS, runs);
    const unavailable = await syscallCountingUnavailable();
    if (unavailable !== undefined) ctx.progress.log(`overhead: system calls not counted: ${unavailable}`);
    const counted: CountedRun[] = [];
    for (const target of OVERHEAD_TARGETS) {
      const endpoint = endpointOf(target.id);
      if (endpoint.proxyPid === undefined) continue;
      counted.push(await count(ctx, target, endpoint, replica, endpoint.proxyPid, unavailable === undefined));
    }
    const profile = ctx.options.profile ? await profileProxies(ctx, fast, PATH) : undefined;
    return {
      connections: plan.connections,
      warmupSec: plan.warmupSec,
      durationSec: plan.durationSec,
      rounds: plan.rounds,
      path: PATH,
      rows,
      runs,
      countSec: plan.countSec,
      syscallsUnavailable: unavailable,
      counted,
      wire: summarizeWire(OVERHEAD_TARGETS, (id) => rows.find((r) => r.target === id)?.reqPerSec, counted),
      profile,
    };
  } finally {
    // The proxies, then the stack (registered first, undone last).
    await ctx.cleanup.runAll((line) => ctx.progress.log(line));
  }
}

async function startProxies(ctx: BenchContext, fast: FastReplica): Promise<Map<string, Endpoint>> {
  const { replica } = fast;
  const upstream = `${replica.ip}:80`;
  const servers = [{ host: replica.ip, port: 80 }];
  const [httpPort, tcpPort] = [await freePort(), await freePort()];
  const haproxy = await startHaproxy(
    [
      { name: 'overhead', port: httpPort, balance: 'roundrobin', servers },
      { name: 'overhead-tcp', port: tcpPort, balance: 'roundrobin', mode: 'tcp', servers },
    ],
    ctx.cleanup,
  );
  const balancers = {
    http: await balancerInFront(ctx, fast),
    tcp: await balancerInFront(ctx, fast, { env: { LB_MODE: 'tcp' } }),
  };
  const endpoints = new Map<string, Endpoint>();
  for (const target of OVERHEAD_TARGETS) {
    if (target.kind === 'direct') endpoints.set(target.id, { url: `http://${upstream}`, proxyPid: undefined });
    else if (target.kind === 'haproxy') {
      const port = target.mode === 'tcp' ? tcpPort : httpPort;
      endpoints.set(target.id, { url: `http://127.0.0.1:${port}`, proxyPid: haproxy.process.pid });
    } else if (target.kind === 'script') {
      const script = await startScriptProxy(target.script, upstream, ctx.cleanup);
      endpoints.set(target.id, { url: script.url, proxyPid: script.process.pid });
    } else {
      const balancer = balancers[target.mode];
      endpoints.set(target.id, { url: balancer.url, proxyPid: balancer.process.pid });
    }
  }
  return endpoints;
}

/**
 * One short run of a proxy with its system calls counted (when perf works) and
 * its sockets' segments read. The load generator's connections close when it
 * stops, so the sockets are read while it runs, and the requests answered
 * between the two readings come from the load's own phase marks.
 */
async function count(
  ctx: BenchContext,
  target: Target,
  endpoint: Endpoint,
  replica: ContainerFacts,
  proxyPid: number,
  withPerf: boolean,
): Promise<CountedRun> {
  const seconds = ctx.plan.overhead.countSec;
  const read = async () => ({
    client: await readSockets(`sport = :${new URL(endpoint.url).port}`),
    replica: await readSockets(`dst ${replica.ip}:80`),
  });
  const counter = withPerf ? await startSyscallCount(proxyPid, ctx.cleanup) : undefined;
  const what = `overhead · counting system calls and segments · ${target.label}`;
  const load = startLoad(
    { url: `${endpoint.url}${PATH}`, connections: ctx.plan.overhead.connections, durationSec: seconds + 2, phase: 'connecting' },
    {
      cleanup: ctx.cleanup,
      ownAddresses: ctx.ownAddresses,
      deadlineSec: seconds + 15,
      onProgress: (n, t) => ctx.progress.status(loadStatus(what, n, t, seconds + 2)),
    },
  );
  await sleep(1_000, undefined, { signal: ctx.cleanup.signal });
  const before = await read();
  load.mark(WINDOW);
  await sleep(seconds * 1000, undefined, { signal: ctx.cleanup.signal });
  const after = await read();
  load.mark('stopping');
  const result = await load.result;
  const syscalls = counter === undefined ? new Map<string, number>() : await counter.stop();
  return {
    target: target.id,
    requests: result.requests,
    reqPerSec: result.reqPerSec,
    syscalls: Object.fromEntries(syscalls),
    windowResponses: result.phases.find((p) => p.name === WINDOW)?.responses ?? 0,
    toClient: sentBetween(before.client, after.client),
    toReplica: sentBetween(before.replica, after.replica),
  };
}

const WINDOW = 'between the socket readings';
