import { setTimeout as sleep } from 'node:timers/promises';
import { STRATEGIES } from '../../src/config';
import type { BenchContext } from '../context';
import { ComposeStack, type ContainerFacts } from '../docker/compose-stack';
import { APP_SERVICE, balancedStack, balancerService } from '../docker/stack-file';
import { startHaproxy, type RunningHaproxy } from '../host/haproxy';
import { freePort, waitUntil } from '../host/host-process';
import { QuietCheck } from '../host/quiet-check';
import { runLoad } from '../load/run-load';
import { loadStatus } from '../report/progress';
import { SCALING_TARGETS, type Target } from '../targets';
import { scalingPoint, type ScalingPoint } from './scaling-summary';

export interface ScalingResult {
  readonly replicaCounts: readonly number[];
  readonly connectionsPerReplica: number;
  readonly delayMs: number;
  readonly warmupSec: number;
  readonly durationSec: number;
  readonly points: readonly ScalingPoint[];
}

/** The balancer's admin port inside its container (the image's default). */
const ADMIN_PORT = 8081;

/**
 * The demo app in serial mode (one request at a time, `delayMs` each) at
 * 1, 2, 4... replicas, scaled with Compose; compose-lb in its container (one per
 * strategy) and HAProxy on the host in front of the same replicas.
 */
export async function runScaling(ctx: BenchContext): Promise<ScalingResult> {
  const plan = ctx.plan.scaling;
  const doc = balancedStack(ctx.images, { mode: 'serial', delayMs: plan.delayMs }, STRATEGIES, ctx.dockerGid);
  const stack = await ComposeStack.create(doc, ctx.cleanup, ctx.ownAddresses);
  const points: ScalingPoint[] = [];
  try {
    for (const n of plan.replicaCounts) {
      ctx.progress.status(`scaling: ${n} replica(s) starting`);
      await stack.up({ [APP_SERVICE]: n });
      const replicas = await stack.containers(APP_SERVICE);
      const urls = await balancerUrls(stack, n, ctx.cleanup.signal);
      const haproxy = await startScalingHaproxy(ctx, replicas);
      try {
        for (const target of SCALING_TARGETS) {
          points.push(await measure(ctx, target, haproxy.urls.get(target.id) ?? urls.get(target.id) ?? '', replicas));
        }
      } finally {
        await haproxy.proxy.stop();
      }
    }
    return {
      replicaCounts: plan.replicaCounts,
      connectionsPerReplica: plan.connectionsPerReplica,
      delayMs: plan.delayMs,
      warmupSec: plan.warmupSec,
      durationSec: plan.durationSec,
      points,
    };
  } finally {
    await ctx.cleanup.runAll((line) => ctx.progress.log(line));
  }
}

/** Each balancer container's URL on the project network, once it sees exactly `n` ready replicas. */
async function balancerUrls(stack: ComposeStack, n: number, signal: AbortSignal): Promise<Map<string, string>> {
  const urls = new Map<string, string>();
  for (const strategy of STRATEGIES) {
    const [lb] = await stack.containers(balancerService(strategy));
    if (lb === undefined) throw new Error(`the ${strategy} balancer is not running: ${await stack.logs(balancerService(strategy))}`);
    await waitUntil(`compose-lb ${strategy} to see ${n} ready replicas`, async () => {
      const res = await fetch(`http://${lb.ip}:${ADMIN_PORT}/replicas`, { signal: AbortSignal.timeout(2_000) });
      const doc = (await res.json()) as { ready?: number; replicas?: unknown[] };
      return doc.ready === n && doc.replicas?.length === n ? true : undefined;
    }, 30_000, signal);
    urls.set(`compose-lb-${strategy}`, `http://${lb.ip}:80`);
  }
  return urls;
}

async function startScalingHaproxy(
  ctx: BenchContext,
  replicas: readonly ContainerFacts[],
): Promise<{ proxy: RunningHaproxy; urls: Map<string, string> }> {
  const servers = replicas.map((r) => ({ host: r.ip, port: 80 }));
  const listeners = [];
  const urls = new Map<string, string>();
  for (const target of SCALING_TARGETS) {
    if (target.kind !== 'haproxy') continue;
    const port = await freePort();
    listeners.push({ name: target.id, port, balance: target.balance, servers });
    urls.set(target.id, `http://127.0.0.1:${port}`);
  }
  return { proxy: await startHaproxy(listeners, ctx.cleanup), urls };
}

async function measure(ctx: BenchContext, target: Target, url: string, replicas: readonly ContainerFacts[]): Promise<ScalingPoint> {
  const plan = ctx.plan.scaling;
  const n = replicas.length;
  const connections = plan.connectionsPerReplica * n;
  const run = async (what: string, durationSec: number, trackReplicas: boolean) => {
    const load = await runLoad(
      { url: `${url}/`, connections, durationSec, trackReplicas, requestTimeoutSec: 30 },
      {
        cleanup: ctx.cleanup,
        ownAddresses: ctx.ownAddresses,
        onProgress: (count, t) => ctx.progress.status(loadStatus(what, count, t, durationSec)),
      },
    );
    // A serial replica still works off what was queued when the load stopped (closing a
    // connection does not cancel its sleep); wait that out, or the next run starts behind.
    await sleep(plan.connectionsPerReplica * plan.delayMs + 300, undefined, { signal: ctx.cleanup.signal });
    return load;
  };
  await run(`scaling ${n} · ${target.label} · warm-up`, plan.warmupSec, false);
  const quiet = new QuietCheck();
  const load = await run(`scaling ${n} · ${target.label}`, plan.durationSec, true);
  return scalingPoint(target.id, replicas.map((r) => r.shortId), connections, plan.delayMs, load, quiet.read());
}
