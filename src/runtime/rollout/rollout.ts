import type { ReplicasDocument } from '../../admin/views';
import { readReplicas, setDrained } from '../balancer-admin';
import type { Clock } from '../clock';
import { commandLine, containerIds, runCompose, scaleUpArgs, type ComposeTool } from '../compose-tool';
import { docker, shortId } from '../docker-cli';
import type { ProcessRunner } from '../process-runner';
import { drainLine } from '../replicas-report';
import { ComposeRunError, InterruptedError, RolloutTimeoutError } from '../runtime-errors';
import { pollBalancer, type PollOptions, type Verdict } from '../wait-for-replicas';
import { drainVerdict, nameOf, namesOf, newSetVerdict, startedSince } from './rollout-progress';

export interface RolloutContext {
  readonly runner: ProcessRunner;
  readonly tool: ComposeTool;
  readonly clock: Clock;
  readonly service: string;
  /** The balancer's container: asked through docker exec. */
  readonly balancer: string;
  /** What the balancer reported before anything changed: names the old replicas in messages. */
  readonly before: ReplicasDocument;
  /** The service's running containers before the rollout (full IDs from `compose ps -q`). */
  readonly old: readonly string[];
  /** For the new replicas to be ready, and then for the old ones to finish their requests. */
  readonly timeoutMs: number;
  readonly pollMs: number;
  /** Ctrl-C. Before the new set is ready it is removed; after, the old set is removed at once. */
  readonly signal: AbortSignal;
  readonly say: (line: string) => void;
}

export interface RolloutResult {
  /** Names of the replicas that serve now. */
  readonly serving: readonly string[];
}

/**
 * Replaces the service's replicas without a moment where none serves: start as
 * many new ones beside the old (Compose creates them from the file as it is
 * now), wait until the balancer sends them traffic, drain the old ones, then
 * stop and remove them. Every failure and Ctrl-C leaves one full set serving,
 * as kamal-proxy's deploy does (internal/server/service.go: health-gated switch,
 * drain with a deadline).
 */
export async function rollout(ctx: RolloutContext): Promise<RolloutResult> {
  if (ctx.signal.aborted) throw new InterruptedError('interrupted before anything changed');
  const fresh = await startNewSet(ctx);
  const deadline = ctx.clock.now() + ctx.timeoutMs;
  const ready = await waitForNewSet(ctx, fresh);
  await retireOldSet(ctx, deadline);
  const serving = fresh.map((id) => nameOf(ready, id));
  if (ctx.signal.aborted) {
    throw new InterruptedError(
      `interrupted after the new replicas were ready: the old ones are removed, ${serving.join(', ')} serve`,
    );
  }
  return { serving };
}

/** `up --scale SERVICE=2N SERVICE`; the new containers are those running now that did not before. */
async function startNewSet(ctx: RolloutContext): Promise<string[]> {
  const args = scaleUpArgs(ctx.service, 2 * ctx.old.length, true);
  ctx.say(`starting ${ctx.old.length} new replicas beside the old ones: ${commandLine(ctx.tool, args)}`);
  const failure = await runCompose(ctx.runner, ctx.tool, args).then(
    () => undefined,
    (err: unknown) => err,
  );
  const fresh = startedSince(await containerIds(ctx.runner, ctx.tool, ctx.service), ctx.old);
  // Compose may have created some before it failed or Ctrl-C reached it too.
  if (ctx.signal.aborted) return abandon(ctx, fresh, interruptedBeforeReady(ctx));
  if (failure !== undefined) {
    const message = `${(failure as Error).message}; ${oldServe(ctx)}`;
    return abandon(ctx, fresh, new ComposeRunError(message, { cause: failure }));
  }
  if (fresh.length === 0) {
    throw new ComposeRunError(`Compose started no new ${ctx.service} containers; nothing changed`);
  }
  ctx.say(`started ${fresh.map(shortId).join(', ')}`);
  return fresh;
}

/** Polls the balancer until every new replica is ready; removes them all when that does not happen. */
async function waitForNewSet(ctx: RolloutContext, fresh: readonly string[]): Promise<ReplicasDocument> {
  const outcome = await pollBalancer(pollOptions(ctx, ctx.timeoutMs, (doc) => newSetVerdict(doc, fresh)));
  if (outcome.kind === 'done') {
    ctx.say(`all ${fresh.length} new replicas ready: ${namesOf(outcome.doc, fresh)}`);
    return outcome.doc;
  }
  if (outcome.kind === 'interrupted') return abandon(ctx, fresh, interruptedBeforeReady(ctx));
  return abandon(
    ctx,
    fresh,
    new RolloutTimeoutError(
      `the new replicas were not all ready after ${Math.round(ctx.timeoutMs / 1000)}s (${outcome.last}); they are removed, and ${oldServe(ctx)}`,
    ),
  );
}

const STOP_ANYWAY = {
  timeout: 'timeout: the old replicas still have requests in flight; stopping them anyway',
  interrupted: 'interrupted: the new replicas serve; stopping the old ones now',
} as const;

/** Drains the old replicas, waits for their requests (until the deadline or Ctrl-C), then stops and removes them. */
async function retireOldSet(ctx: RolloutContext, deadline: number): Promise<void> {
  for (const id of ctx.old) ctx.say(await drain(ctx, id));
  const left = Math.max(0, deadline - ctx.clock.now());
  const outcome = await pollBalancer(pollOptions(ctx, left, (doc) => drainVerdict(doc, ctx.old)));
  if (outcome.kind !== 'done') ctx.say(STOP_ANYWAY[outcome.kind]);
  await remove(ctx, ctx.old, 'old');
}

/**
 * Drains one old replica. A failure does not stop the rollout: `docker stop`
 * drains it anyway, since the balancer takes a stopping replica out at once.
 */
async function drain(ctx: RolloutContext, id: string): Promise<string> {
  try {
    return drainLine(await setDrained(ctx.runner, ctx.balancer, ctx.service, id, true), true);
  } catch (err) {
    return `${nameOf(ctx.before, id)}: not drained (${(err as Error).message}); stopping drains it`;
  }
}

function pollOptions(ctx: RolloutContext, timeoutMs: number, judge: (doc: ReplicasDocument) => Verdict): PollOptions {
  return {
    service: ctx.service,
    timeoutMs,
    pollMs: ctx.pollMs,
    clock: ctx.clock,
    read: () => readReplicas(ctx.runner, ctx.balancer, ctx.service),
    judge,
    progress: ctx.say,
    signal: ctx.signal,
  };
}

/** Removes the new containers, leaving the old ones serving, then fails with `error`. */
async function abandon(ctx: RolloutContext, fresh: readonly string[], error: Error): Promise<never> {
  if (fresh.length > 0) await remove(ctx, fresh, 'new');
  throw error;
}

function interruptedBeforeReady(ctx: RolloutContext): InterruptedError {
  return new InterruptedError(`interrupted before the new replicas were ready: they are removed, and ${oldServe(ctx)}`);
}

function oldServe(ctx: RolloutContext): string {
  return `the old replicas still serve: ${namesOf(ctx.before, ctx.old)}`;
}

/** `docker stop` (each container gets its own stop grace period, draining as it goes), then `docker rm`. */
async function remove(ctx: RolloutContext, ids: readonly string[], which: 'new' | 'old'): Promise<void> {
  const shown = ids.map(shortId).join(' ');
  try {
    ctx.say(`stopping the ${which} replicas: docker stop ${shown}`);
    await docker(ctx.runner, ['stop', ...ids]);
    ctx.say(`removing them: docker rm ${shown}`);
    await docker(ctx.runner, ['rm', ...ids]);
  } catch (err) {
    throw new ComposeRunError(`${(err as Error).message}; the ${which} containers may still exist: ${shown}`, {
      cause: err,
    });
  }
}
