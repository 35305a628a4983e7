import { setTimeout as sleep } from 'node:timers/promises';
import { STRATEGIES } from '../../src/config';
import type { BenchContext } from '../context';
import { ComposeStack, type ContainerFacts } from '../docker/compose-stack';
import { APP_SERVICE, balancedStack } from '../docker/stack-file';
import { QuietCheck } from '../host/quiet-check';
import type { LoadJob } from '../load/load-types';
import { startLoad } from '../load/run-load';
import { loadStatus } from '../report/progress';
import { BALANCING_TARGETS, type Target } from '../targets';
import { balancingTargets } from './balancing-targets';
import { PHASES, slowReplicaRow, type SlowReplicaRow } from './slow-replica-summary';

export interface SlowReplicaResult {
  readonly replicas: number;
  readonly slowFactor: number;
  readonly delayMs: number;
  readonly connections: number;
  readonly warmupSec: number;
  readonly durationSec: number;
  readonly changingSec: number;
  /** X-Replica of the replica that is (or turns) slow. */
  readonly slowReplica: string;
  readonly rows: readonly SlowReplicaRow[];
}

/**
 * "Picking the right replica": serial demo replicas (one request at a time,
 * like a worker pool of one), one of them 5× slower than the others, first for
 * a whole run, then in a run where it turns slow halfway through and recovers
 * a quarter later (PUT /delay on the replica, under load). Every compose-lb
 * strategy and HAProxy's roundrobin and leastconn in front of the same
 * replicas; shares from the X-Replica header.
 */
export async function runSlowReplica(ctx: BenchContext): Promise<SlowReplicaResult> {
  const plan = ctx.plan.slowReplica;
  const doc = balancedStack(ctx.images, { mode: 'serial', delayMs: plan.delayMs }, STRATEGIES, ctx.dockerGid);
  const stack = await ComposeStack.create(doc, ctx.cleanup, ctx.ownAddresses);
  const connections = plan.connectionsPerReplica * plan.replicas;
  try {
    ctx.progress.status(`slow-replica: starting ${plan.replicas} replicas`);
    await stack.up({ [APP_SERVICE]: plan.replicas });
    const replicas = await stack.containers(APP_SERVICE);
    const slow = replicas[0];
    if (slow === undefined) throw new Error(`slow-replica: no replica started: ${await stack.logs(APP_SERVICE)}`);
    const ids = replicas.map((r) => r.shortId);
    const setDelay = (ms: number) => putDelay(slow, ms);
    const targets = await balancingTargets(ctx, stack, replicas);
    const rows: SlowReplicaRow[] = [];
    try {
      const run = (target: Target): Promise<void> => runTarget(ctx, target, targets.urls.get(target.id) ?? '', ids, slow.shortId, setDelay, rows);
      for (const target of BALANCING_TARGETS) await run(target);
    } finally {
      await targets.stop();
    }
    return {
      replicas: plan.replicas,
      slowFactor: plan.slowFactor,
      delayMs: plan.delayMs,
      connections,
      warmupSec: plan.warmupSec,
      durationSec: plan.durationSec,
      changingSec: plan.changingSec,
      slowReplica: slow.shortId,
      rows,
    };
  } finally {
    await ctx.cleanup.runAll((line) => ctx.progress.log(line));
  }
}

/** One target: warm-up, the steady run, warm-up, the changing run; each run's rows pushed to `rows`. */
async function runTarget(
  ctx: BenchContext,
  target: Target,
  url: string,
  ids: readonly string[],
  slowId: string,
  setDelay: (ms: number) => Promise<void>,
  rows: SlowReplicaRow[],
): Promise<void> {
  const plan = ctx.plan.slowReplica;
  const slowMs = plan.delayMs * plan.slowFactor;
  const job = { url: `${url}/`, connections: plan.connectionsPerReplica * plan.replicas, trackReplicas: true, requestTimeoutSec: 30 };
  const wait = (sec: number) => sleep(sec * 1000, undefined, { signal: ctx.cleanup.signal });
  const load = (what: string, durationSec: number, phase: string, during: (mark: (p: string) => void) => Promise<void> = async () => {}) =>
    loadWith(ctx, { ...job, durationSec, phase }, `slow-replica · ${target.label} · ${what}`, during);

  await setDelay(slowMs);
  await load('warm-up', plan.warmupSec, 'warm-up');
  const quiet = new QuietCheck();
  const steady = await load('slow throughout', plan.durationSec, PHASES.steady);
  const steadyOthers = quiet.read().pctOfCpu;
  for (const phase of steady) rows.push(slowReplicaRow(target.id, 'steady', phase, ids, slowId, steadyOthers));

  await setDelay(plan.delayMs);
  await load('warm-up', plan.warmupSec, 'warm-up');
  const changingQuiet = new QuietCheck();
  const changing = await load('turns slow, recovers', plan.changingSec, PHASES.before, async (mark) => {
    await wait(plan.changingSec / 2);
    await setDelay(slowMs);
    mark(PHASES.slow);
    await wait(plan.changingSec / 4);
    await setDelay(plan.delayMs);
    mark(PHASES.after);
  });
  const changingOthers = changingQuiet.read().pctOfCpu;
  for (const phase of changing) rows.push(slowReplicaRow(target.id, 'changing', phase, ids, slowId, changingOthers));
}

/**
 * One load run, with `during` free to change things and mark phases while it
 * runs. Serial replicas work off what was queued when the load stopped
 * (closing a connection does not cancel a sleep): that is waited out, so the
 * next run starts level.
 */
async function loadWith(
  ctx: BenchContext,
  job: LoadJob & { readonly durationSec: number },
  what: string,
  during: (mark: (phase: string) => void) => Promise<void>,
) {
  const plan = ctx.plan.slowReplica;
  const load = startLoad(job, {
    cleanup: ctx.cleanup,
    ownAddresses: ctx.ownAddresses,
    deadlineSec: job.durationSec + 15,
    onProgress: (n, t) => ctx.progress.status(loadStatus(what, n, t, job.durationSec)),
  });
  await during((phase) => load.mark(phase));
  const result = await load.result;
  await sleep(job.connections * plan.delayMs * plan.slowFactor + 300, undefined, { signal: ctx.cleanup.signal });
  return result.phases;
}

/** The demo app's run-time switch (compose/demo/app/server.js): PUT /delay?ms=N. */
async function putDelay(replica: ContainerFacts, ms: number): Promise<void> {
  const res = await fetch(`http://${replica.ip}:80/delay?ms=${ms}`, { method: 'PUT', signal: AbortSignal.timeout(5_000) });
  if (!res.ok) throw new Error(`PUT /delay on ${replica.shortId} answered ${res.status}: ${await res.text()}`);
}
