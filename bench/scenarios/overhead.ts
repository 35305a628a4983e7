import type { BenchContext } from '../context';
import type { ContainerFacts } from '../docker/compose-stack';
import { startHaproxy } from '../host/haproxy';
import { freePort } from '../host/host-process';
import { CpuMeter } from '../host/proc-stat';
import { QuietCheck } from '../host/quiet-check';
import { startPlainProxy } from '../host/proxies';
import { runLoad } from '../load/run-load';
import { loadStatus } from '../report/progress';
import { OVERHEAD_TARGETS, type Target } from '../targets';
import { balancerInFront, startFastReplica, type FastReplica } from './fast-replica';
import { interleave, summarizeOverhead, type OverheadRow, type OverheadRun } from './overhead-summary';
import { profileProxies, type ProfileResult } from './profile-proxies';

export interface OverheadResult {
  readonly connections: number;
  readonly warmupSec: number;
  readonly durationSec: number;
  readonly rounds: number;
  readonly path: string;
  readonly rows: readonly OverheadRow[];
  readonly runs: readonly OverheadRun[];
  readonly profile: ProfileResult | undefined;
}

/** Where a target is reached, and which host process is the proxy (none for direct). */
interface Endpoint {
  readonly url: string;
  readonly proxyPid: number | undefined;
}

const PATH = '/fast';

/**
 * One fast replica; the replica directly, HAProxy, the plain http-proxy script
 * and compose-lb in front of it, all proxies on the host pinned to CPU 1 with
 * the replica, so each takes the same path and gets the same CPU budget.
 */
export async function runOverhead(ctx: BenchContext): Promise<OverheadResult> {
  const plan = ctx.plan.overhead;
  try {
    const fast = await startFastReplica(ctx, 'overhead');
    const { replica } = fast;
    const endpoints = await startProxies(ctx, fast);
    const run = (target: Target, what: string, durationSec: number): Promise<Omit<OverheadRun, 'round'>> =>
      measure(ctx, target, endpoints, replica, what, durationSec);

    for (const target of OVERHEAD_TARGETS) await run(target, `overhead warm-up · ${target.label}`, plan.warmupSec);
    const runs: OverheadRun[] = [];
    for (let round = 0; round < plan.rounds; round++) {
      for (const target of interleave(OVERHEAD_TARGETS, round)) {
        const what = `overhead round ${round + 1}/${plan.rounds} · ${target.label}`;
        runs.push({ ...(await run(target, what, plan.durationSec)), round: round + 1 });
      }
    }
    const profile = ctx.options.profile ? await profileProxies(ctx, fast, PATH) : undefined;
    return {
      connections: plan.connections,
      warmupSec: plan.warmupSec,
      durationSec: plan.durationSec,
      rounds: plan.rounds,
      path: PATH,
      rows: summarizeOverhead(OVERHEAD_TARGETS, runs),
      runs,
      profile,
    };
  } finally {
    // The proxies, then the stack (registered first, undone last).
    await ctx.cleanup.runAll((line) => ctx.progress.log(line));
  }
}

async function startProxies(ctx: BenchContext, fast: FastReplica): Promise<Map<string, Endpoint>> {
  const { replica } = fast;
  const haproxyPort = await freePort();
  const haproxy = await startHaproxy(
    [{ name: 'overhead', port: haproxyPort, balance: 'roundrobin', servers: [{ host: replica.ip, port: 80 }] }],
    ctx.cleanup,
  );
  const plain = await startPlainProxy(`${replica.ip}:80`, ctx.cleanup);
  const balancer = await balancerInFront(ctx, fast);
  const byKind: Record<Target['kind'], Endpoint> = {
    direct: { url: `http://${replica.ip}:80`, proxyPid: undefined },
    haproxy: { url: `http://127.0.0.1:${haproxyPort}`, proxyPid: haproxy.process.pid },
    'plain-http-proxy': { url: plain.url, proxyPid: plain.process.pid },
    'compose-lb': { url: balancer.url, proxyPid: balancer.process.pid },
  };
  return new Map(OVERHEAD_TARGETS.map((t) => [t.id, byKind[t.kind]]));
}

async function measure(
  ctx: BenchContext,
  target: Target,
  endpoints: ReadonlyMap<string, Endpoint>,
  replica: ContainerFacts,
  what: string,
  durationSec: number,
): Promise<Omit<OverheadRun, 'round'>> {
  const endpoint = endpoints.get(target.id);
  if (endpoint === undefined) throw new Error(`no endpoint for ${target.id}`);
  const pids = endpoint.proxyPid === undefined ? [replica.pid] : [replica.pid, endpoint.proxyPid];
  const meter = new CpuMeter(pids);
  const quiet = new QuietCheck();
  const load = await runLoad(
    { url: `${endpoint.url}${PATH}`, connections: ctx.plan.overhead.connections, durationSec },
    {
      cleanup: ctx.cleanup,
      ownAddresses: ctx.ownAddresses,
      onProgress: (requests, elapsed) => ctx.progress.status(loadStatus(what, requests, elapsed, durationSec)),
    },
  );
  const cpu = meter.read();
  const others = quiet.read();
  return {
    target: target.id,
    requests: load.requests,
    durationSec: load.durationSec,
    reqPerSec: load.reqPerSec,
    p50Us: load.latency.p50Us,
    p99Us: load.latency.p99Us,
    non2xx: load.non2xx,
    errors: load.errors,
    timeouts: load.timeouts,
    proxyCpuMs: endpoint.proxyPid === undefined ? undefined : cpu.get(endpoint.proxyPid),
    replicaCpuMs: cpu.get(replica.pid) ?? Number.NaN,
    loadCpuMs: load.loadCpuMs,
    othersCpuPct: others.pctOfCpu,
    othersBy: others.by,
  };
}
