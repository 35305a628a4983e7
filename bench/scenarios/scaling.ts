import { setTimeout as sleep } from 'node:timers/promises';
import { STRATEGIES } from '../../src/config';
import type { BenchContext } from '../context';
import { ComposeStack, type ContainerFacts } from '../docker/compose-stack';
import { APP_SERVICE, balancedStack } from '../docker/stack-file';
import { QuietCheck } from '../host/quiet-check';
import { runLoad } from '../load/run-load';
import { loadStatus } from '../report/progress';
import { BALANCING_TARGETS, type Target } from '../targets';
import { balancingTargets } from './balancing-targets';
import { scalingPoint, type ScalingPoint } from './scaling-summary';

export interface ScalingResult {
  readonly replicaCounts: readonly number[];
  readonly connectionsPerReplica: number;
  readonly delayMs: number;
  readonly warmupSec: number;
  readonly durationSec: number;
  readonly points: readonly ScalingPoint[];
}

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
      const targets = await balancingTargets(ctx, stack, replicas);
      try {
        for (const target of BALANCING_TARGETS) points.push(await measure(ctx, target, targets.urls.get(target.id) ?? '', replicas));
      } finally {
        await targets.stop();
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
