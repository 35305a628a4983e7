import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchContext } from '../context';
import { capture, ComposeStack, type ContainerFacts } from '../docker/compose-stack';
import { EventRecorder, type RecordedEvent } from '../docker/event-recorder';
import { AppLogWatcher } from '../docker/app-log-watcher';
import { APP_SERVICE, balancerService, churnStack, DISCOVERY_FED_BALANCER, type ComposeDocument } from '../docker/stack-file';
import { waitUntil } from '../host/host-process';
import { QuietCheck } from '../host/quiet-check';
import type { LoadResult } from '../load/load-types';
import { startLoad } from '../load/run-load';
import { BALANCER_BUNDLE } from '../paths';
import { loadStatus } from '../report/progress';
import { ADMIN_PORT } from './balancing-targets';
import {
  churnPhases,
  holdEpisodes,
  killToDrain,
  newReplicaLatencies,
  parseBalancerLog,
  rotationTimes,
  type ChurnPhase,
  type ChurnReplica,
  type ChurnStep,
  type KillToDrain,
} from './churn-summary';

/** The load's own figures, as the load generator counted them. */
type LoadFigures = Pick<
  LoadResult,
  'durationSec' | 'requests' | 'reqPerSec' | 'non2xx' | 'errors' | 'timeouts' | 'statusCodes' | 'errorCodes'
>;

/** Kill-to-drain delays of one layout: a balancer reading the socket, or one fed by discovery. */
export interface DrainDelays {
  readonly layout: string;
  readonly balancer: string;
  readonly delays: readonly KillToDrain[];
}

export interface ChurnResult extends LoadFigures {
  readonly connections: number;
  readonly strategy: string;
  readonly delayMs: number;
  readonly steps: readonly ChurnStep[];
  /** Failures and holding per change (each phase lasts until the next change). */
  readonly phases: readonly ChurnPhase[];
  readonly replicas: readonly ChurnReplica[];
  readonly events: readonly (Omit<RecordedEvent, 'atMs'> & { readonly atMs: number })[];
  /** The socket layout first, then the one fed by discovery. */
  readonly drains: readonly DrainDelays[];
  /** The balancer's warnings and errors during the run, to explain any failure. */
  readonly balancerWarnings: readonly string[];
  /** When the run had failures: the balancer's whole log, beside latest.json. */
  readonly balancerLog: string | undefined;
  /** CPU that processes outside the bench used during the load, as a share of one CPU. */
  readonly othersCpuPct: number;
  readonly othersBy: string;
}

const STRATEGY = 'round-robin';
const DELAY_MS = 100;
const LOG_FILE = 'churn-balancer.log';
/** The demo app image under another tag, so the rollout's new replicas differ from the old in the file. */
const ROLLOUT_TAG = 'rollout';

/**
 * Load runs through the balancer that reads the socket while the service
 * scales 2 -> 8 -> 1 -> 4, a replica is killed (SIGKILL), the service is
 * restarted, recreated (`up --force-recreate`) and rolled out (`compose-lb
 * rollout`, after a new image tag). The demo app answers after 100 ms, so
 * requests are in flight at every change. A second balancer, fed by discovery,
 * watches the same replicas: both log when each replica starts draining.
 */
export async function runChurn(ctx: BenchContext): Promise<ChurnResult> {
  const plan = ctx.plan.churn;
  const connections = plan.connections;
  const doc = churnStack(ctx.images, { delayMs: DELAY_MS }, STRATEGY, ctx.dockerGid);
  const stack = await ComposeStack.create(doc, ctx.cleanup, ctx.ownAddresses);
  try {
    ctx.progress.status('churn: starting 2 replicas, the balancers and discovery');
    await stack.up({ [APP_SERVICE]: 2 });
    const lb = await readyBalancer(ctx, stack, balancerService(STRATEGY), 2);
    const fed = await readyBalancer(ctx, stack, DISCOVERY_FED_BALANCER, 2);
    const watcher = new AppLogWatcher(ctx.cleanup);
    const recorder = new EventRecorder(stack.project, ctx.cleanup, (event) => {
      if (event.action === 'start' && event.service === APP_SERVICE) watcher.watch(event.id);
    });
    await sleep(500, undefined, { signal: ctx.cleanup.signal }); // the events stream is open before anything changes
    let phase = 'churn · 2 replicas';
    const load = startLoad(
      { url: `http://${lb.ip}:80/`, connections, durationSec: plan.maxSec, trackReplicas: true, phase: 'steady at 2 replicas' },
      {
        cleanup: ctx.cleanup,
        ownAddresses: ctx.ownAddresses,
        deadlineSec: plan.maxSec + 5,
        onProgress: (n, t) => ctx.progress.status(loadStatus(phase, n, t)),
      },
    );
    const quiet = new QuietCheck();
    // Absolute times for now; made relative to the load's own start once it reports it.
    const steps: ChurnStep[] = [];
    const step = async (action: string, change: () => Promise<unknown>): Promise<void> => {
      phase = `churn · ${action}`;
      load.mark(action);
      const at = Date.now();
      await change();
      steps.push({ action, atMs: at, tookMs: Date.now() - at });
      await sleep(plan.holdSec * 1000, undefined, { signal: ctx.cleanup.signal });
    };
    await sleep(plan.holdSec * 1000, undefined, { signal: ctx.cleanup.signal }); // steady at 2 first
    await step('scale 2 -> 8', () => stack.up({ [APP_SERVICE]: 8 }));
    await step('scale 8 -> 1', () => stack.up({ [APP_SERVICE]: 1 }));
    await step('scale 1 -> 4', () => stack.up({ [APP_SERVICE]: 4 }));
    await step('kill one replica (SIGKILL)', async () => {
      const [victim] = await stack.containerIds(APP_SERVICE);
      if (victim === undefined) throw new Error('no replica to kill');
      await capture('docker', ['kill', victim]);
    });
    await step('docker compose restart', () => stack.compose(['restart', APP_SERVICE]));
    await step('up -d --force-recreate', () => stack.compose(['up', '-d', '--force-recreate', '--scale', `${APP_SERVICE}=4`, APP_SERVICE]));
    await retagForRollout(ctx, stack, doc);
    await step('compose-lb rollout', () =>
      capture('env', ['COMPOSE_LB_COMPOSE=docker compose', process.execPath, BALANCER_BUNDLE, 'rollout', APP_SERVICE, '-f', stack.file, '-p', stack.project, '--timeout', '60s']),
    );
    load.stop();
    const result = await load.result;
    const others = quiet.read();
    await recorder.stop();
    watcher.stop();
    const logs = { socket: await containerLog(lb), fed: await containerLog(fed) };
    const socketLog = parseBalancerLog(logs.socket);
    const failures = result.non2xx + result.errors + result.timeouts;
    const balancerLog = failures > 0 ? LOG_FILE : undefined;
    if (balancerLog !== undefined) await writeFile(join(resolve(ctx.options.outDir), balancerLog), logs.socket);
    return {
      connections,
      strategy: STRATEGY,
      delayMs: DELAY_MS,
      durationSec: result.durationSec,
      requests: result.requests,
      reqPerSec: result.reqPerSec,
      non2xx: result.non2xx,
      errors: result.errors,
      timeouts: result.timeouts,
      statusCodes: result.statusCodes,
      errorCodes: result.errorCodes,
      steps: steps.map((s) => ({ ...s, atMs: Math.round(s.atMs - result.startedAt) })),
      phases: churnPhases(result.phases, holdEpisodes(socketLog), result.startedAt),
      replicas: newReplicaLatencies(recorder.events, watcher, result.replicas, result.startedAt, APP_SERVICE, rotationTimes(socketLog)),
      events: recorder.events.map((e) => ({ ...e, atMs: Math.round(e.atMs - result.startedAt) })),
      drains: [
        { layout: 'socket (the balancer reads Docker itself)', balancer: balancerService(STRATEGY), delays: killToDrain(recorder.events, socketLog) },
        { layout: 'discovery (LB_DISCOVERY_URL)', balancer: DISCOVERY_FED_BALANCER, delays: killToDrain(recorder.events, parseBalancerLog(logs.fed)) },
      ],
      balancerWarnings: logs.socket
        .split('\n')
        .filter((line) => /"level":"(warn|error|fatal)"/.test(line))
        .slice(-40),
      balancerLog,
      othersCpuPct: others.pctOfCpu,
      othersBy: others.by,
    };
  } finally {
    await ctx.cleanup.runAll((line) => ctx.progress.log(line));
  }
}

/** A balancer container of the stack, once it sees `n` ready replicas. */
async function readyBalancer(ctx: BenchContext, stack: ComposeStack, service: string, n: number): Promise<ContainerFacts> {
  const [lb] = await stack.containers(service);
  if (lb === undefined) throw new Error(`${service} did not start: ${await stack.logs(service)}`);
  await waitUntil(`${service} to see ${n} ready replicas`, async () => {
    const res = await fetch(`http://${lb.ip}:${ADMIN_PORT}/replicas`, { signal: AbortSignal.timeout(2_000) });
    return ((await res.json()) as { ready?: number }).ready === n ? true : undefined;
  }, 30_000, ctx.cleanup.signal);
  return lb;
}

/**
 * The same app image under a new tag in the file: the rollout's new replicas
 * are then made from a different image name, as a deploy of a new version
 * makes them (the running ones keep theirs). The tag goes with the cleanup.
 */
async function retagForRollout(ctx: BenchContext, stack: ComposeStack, doc: ComposeDocument): Promise<void> {
  const image = `${ctx.images.app.split(':')[0] ?? ctx.images.app}:${ROLLOUT_TAG}`;
  await capture('docker', ['tag', ctx.images.app, image]);
  // Another tag of the same image: removing it only untags, even while containers use it.
  ctx.cleanup.add(`image tag ${image}`, async () => void (await capture('docker', ['rmi', image])));
  const app = doc.services[APP_SERVICE];
  await stack.rewrite({ ...doc, services: { ...doc.services, [APP_SERVICE]: { ...app, image } } });
}

/** `docker logs`, not `compose logs`: no service prefix or terminal codes in front of the JSON. */
function containerLog(container: ContainerFacts): Promise<string> {
  return capture('docker', ['logs', container.id]).catch((err: Error) => err.message);
}
