import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchContext } from '../context';
import { capture, ComposeStack } from '../docker/compose-stack';
import { EventRecorder, type RecordedEvent } from '../docker/event-recorder';
import { ListeningWatcher } from '../docker/listening-watcher';
import { APP_SERVICE, balancedStack, balancerService } from '../docker/stack-file';
import { waitUntil } from '../host/host-process';
import { QuietCheck } from '../host/quiet-check';
import type { LoadResult } from '../load/load-types';
import { startLoad } from '../load/run-load';
import { loadStatus } from '../report/progress';
import { newReplicaLatencies, type ChurnReplica, type ChurnStep } from './churn-summary';

/** The load's own figures, as the load generator counted them. */
type LoadFigures = Pick<
  LoadResult,
  'durationSec' | 'requests' | 'reqPerSec' | 'non2xx' | 'errors' | 'timeouts' | 'statusCodes' | 'errorCodes'
>;

export interface ChurnResult extends LoadFigures {
  readonly connections: number;
  readonly strategy: string;
  readonly delayMs: number;
  readonly steps: readonly ChurnStep[];
  readonly replicas: readonly ChurnReplica[];
  readonly events: readonly (Omit<RecordedEvent, 'atMs'> & { readonly atMs: number })[];
  /** The balancer's warnings and errors during the run, to explain any failure. */
  readonly balancerWarnings: readonly string[];
  /** CPU that processes outside the bench used during the load, as a share of one CPU. */
  readonly othersCpuPct: number;
  readonly othersBy: string;
}

const STRATEGY = 'round-robin';
const DELAY_MS = 100;

/**
 * Load runs while the service scales 2 -> 8 -> 1 -> 4 and then a replica is
 * killed (SIGKILL). The demo app answers after 100 ms, so requests are in
 * flight at every change.
 */
export async function runChurn(ctx: BenchContext): Promise<ChurnResult> {
  const plan = ctx.plan.churn;
  const connections = plan.connections;
  const doc = balancedStack(ctx.images, { mode: 'async', delayMs: DELAY_MS }, [STRATEGY], ctx.dockerGid);
  const stack = await ComposeStack.create(doc, ctx.cleanup, ctx.ownAddresses);
  try {
    ctx.progress.status('churn: starting 2 replicas and the balancer');
    await stack.up({ [APP_SERVICE]: 2 });
    const [lb] = await stack.containers(balancerService(STRATEGY));
    if (lb === undefined) throw new Error('the balancer did not start');
    await waitUntil('the balancer to see 2 ready replicas', async () => {
      const res = await fetch(`http://${lb.ip}:8081/replicas`, { signal: AbortSignal.timeout(2_000) });
      return ((await res.json()) as { ready?: number }).ready === 2 ? true : undefined;
    }, 30_000, ctx.cleanup.signal);
    const watcher = new ListeningWatcher(ctx.cleanup);
    const recorder = new EventRecorder(stack.project, ctx.cleanup, (event) => {
      if (event.action === 'start' && event.service === APP_SERVICE) watcher.watch(event.id);
    });
    await sleep(500, undefined, { signal: ctx.cleanup.signal }); // the events stream is open before anything changes
    let phase = 'churn · 2 replicas';
    const load = startLoad(
      { url: `http://${lb.ip}:80/`, connections, durationSec: plan.maxSec, trackReplicas: true },
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
    load.stop();
    const result = await load.result;
    const others = quiet.read();
    await recorder.stop();
    watcher.stop();
    // `docker logs`, not `compose logs`: no service prefix or terminal codes in front of the JSON.
    const warnings = (await capture('docker', ['logs', lb.id]).catch((err: Error) => err.message))
      .split('\n')
      .filter((line) => /"level":"(warn|error|fatal)"/.test(line))
      .slice(-40);
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
      replicas: newReplicaLatencies(recorder.events, watcher.listeningAt, result.replicas, result.startedAt, APP_SERVICE),
      events: recorder.events.map((e) => ({ ...e, atMs: Math.round(e.atMs - result.startedAt) })),
      balancerWarnings: warnings,
      othersCpuPct: others.pctOfCpu,
      othersBy: others.by,
    };
  } finally {
    await ctx.cleanup.runAll((line) => ctx.progress.log(line));
  }
}
