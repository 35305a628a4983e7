import type { BenchContext } from '../context';
import { ComposeStack } from '../docker/compose-stack';
import { routedHost, routedServices, routingStack } from '../docker/stack-file';
import { startBalancerOnHost } from '../host/proxies';
import { summarizeOverhead, type OverheadRow, type OverheadRun } from './overhead-summary';
import { measureRouterCost, type RouterCost } from './router-cost';
import { interleavedRounds, type Endpoint } from './rounds';

export interface RoutingResult {
  readonly rules: number;
  readonly host: string;
  readonly connections: number;
  readonly durationSec: number;
  readonly rounds: number;
  /** One rule, many rules, then one rule again in a second process (ROUTING_IDS). */
  readonly rows: readonly OverheadRow[];
  readonly runs: readonly OverheadRun[];
  /** The router alone, in a loop (the bench process, after the rounds). */
  readonly router: RouterCost;
}

/** The three balancers of the routing scenario. */
export const ROUTING_IDS = { oneRule: 'one-rule', manyRules: 'many-rules', control: 'one-rule-again' } as const;

/**
 * What routing costs: `rules` services, each one fast replica routed by its
 * own host name (label compose-lb.host). Two compose-lb processes on the host:
 * one balancing only the last service (one rule), one balancing all of them
 * (every rule, in LB_SERVICE order, so a request for the last host is tried
 * against every rule before it matches). The same request (Host of the last
 * service, /fast) goes to the same replica through both: what differs is the
 * router's work. A third process, the same as the first, is the A/A control:
 * how far two identical balancers differ here, which sizes what a comparison of
 * two processes can resolve. Interleaved rounds as in overhead.
 */
export async function runRouting(ctx: BenchContext): Promise<RoutingResult> {
  const plan = ctx.plan.routing;
  const services = routedServices(plan.rules);
  const last = services.at(-1) ?? '';
  try {
    const stack = await ComposeStack.create(routingStack(ctx.images, plan.rules), ctx.cleanup, ctx.ownAddresses);
    ctx.progress.status(`routing: starting ${plan.rules} services`);
    await stack.up(Object.fromEntries(services.map((s) => [s, 1])));
    const [replica] = await stack.containers(last);
    if (replica === undefined) throw new Error(`routing: ${last} did not start: ${await stack.logs(last)}`);
    const start = (routed: readonly string[]) =>
      startBalancerOnHost({ project: stack.project, network: stack.network, services: routed, replicas: 1, cleanup: ctx.cleanup });
    const targets = [
      { id: ROUTING_IDS.oneRule, label: 'compose-lb, 1 host rule', balancer: await start([last]) },
      { id: ROUTING_IDS.manyRules, label: `compose-lb, ${plan.rules} host rules (the last matches)`, balancer: await start(services) },
      { id: ROUTING_IDS.control, label: 'compose-lb, 1 host rule, a second process (A/A control)', balancer: await start([last]) },
    ];
    const endpoint = (id: string): Endpoint => {
      const balancer = targets.find((t) => t.id === id)?.balancer;
      if (balancer === undefined) throw new Error(`routing: no target ${id}`);
      return { url: balancer.url, proxyPid: balancer.process.pid };
    };
    const host = routedHost(last);
    const runs = await interleavedRounds(ctx, {
      scenario: 'routing',
      targets,
      endpoint,
      replicaPid: replica.pid,
      job: { path: '/fast', connections: plan.connections, headers: { host } },
      warmupSec: plan.warmupSec,
      durationSec: plan.durationSec,
      rounds: plan.rounds,
    });
    return {
      rules: plan.rules,
      host,
      connections: plan.connections,
      durationSec: plan.durationSec,
      rounds: plan.rounds,
      rows: summarizeOverhead(targets, runs),
      runs,
      router: measureRouterCost(services.map(routedHost)),
    };
  } finally {
    await ctx.cleanup.runAll((line) => ctx.progress.log(line));
  }
}
