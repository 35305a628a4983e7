import type { BenchContext } from '../context';
import type { ComposeStack, ContainerFacts } from '../docker/compose-stack';
import { balancerService } from '../docker/stack-file';
import { startHaproxy, type RunningHaproxy } from '../host/haproxy';
import { freePort, waitUntil } from '../host/host-process';
import { BALANCING_TARGETS } from '../targets';

/** The balancer's admin port inside its container (the image's default). */
export const ADMIN_PORT = 8081;

export interface BalancingTargets {
  /** Target id -> the URL its load goes to. */
  readonly urls: ReadonlyMap<string, string>;
  /** Stops the HAProxy started for these replicas. */
  stop(): Promise<void>;
}

/**
 * Every balancing target in front of the replicas now running: compose-lb's
 * containers (one per strategy, once each sees exactly these replicas ready)
 * and HAProxy on the host with a listener per balance.
 */
export async function balancingTargets(ctx: BenchContext, stack: ComposeStack, replicas: readonly ContainerFacts[]): Promise<BalancingTargets> {
  const urls = new Map<string, string>();
  const listeners = [];
  for (const target of BALANCING_TARGETS) {
    if (target.kind === 'compose-lb') {
      urls.set(target.id, await balancerUrl(stack, target.strategy, replicas.length, ctx.cleanup.signal));
    } else if (target.kind === 'haproxy') {
      const port = await freePort();
      listeners.push({ name: target.id, port, balance: target.balance, servers: replicas.map((r) => ({ host: r.ip, port: 80 })) });
      urls.set(target.id, `http://127.0.0.1:${port}`);
    }
  }
  const haproxy: RunningHaproxy = await startHaproxy(listeners, ctx.cleanup);
  return { urls, stop: () => haproxy.stop() };
}

/** A balancer container's URL on the project network, once it sees exactly `n` ready replicas. */
async function balancerUrl(stack: ComposeStack, strategy: BalancerStrategy, n: number, signal: AbortSignal): Promise<string> {
  const service = balancerService(strategy);
  const [lb] = await stack.containers(service);
  if (lb === undefined) throw new Error(`the ${strategy} balancer is not running: ${await stack.logs(service)}`);
  await waitUntil(`compose-lb ${strategy} to see ${n} ready replicas`, async () => {
    const res = await fetch(`http://${lb.ip}:${ADMIN_PORT}/replicas`, { signal: AbortSignal.timeout(2_000) });
    const doc = (await res.json()) as { ready?: number; replicas?: unknown[] };
    return doc.ready === n && doc.replicas?.length === n ? true : undefined;
  }, 30_000, signal);
  return `http://${lb.ip}:80`;
}

type BalancerStrategy = Parameters<typeof balancerService>[0];
