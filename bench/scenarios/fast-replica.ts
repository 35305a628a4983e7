import type { BenchContext } from '../context';
import { ComposeStack, type ContainerFacts } from '../docker/compose-stack';
import { APP_SERVICE, fastReplicaStack } from '../docker/stack-file';
import { startBalancerOnHost, type BalancerOnHost } from '../host/proxies';

export interface FastReplica {
  readonly stack: ComposeStack;
  readonly replica: ContainerFacts;
}

/** Overhead and memory: one replica that answers `/fast` at once, in a Compose project of the bench's own. */
export async function startFastReplica(ctx: BenchContext, scenario: string): Promise<FastReplica> {
  const stack = await ComposeStack.create(fastReplicaStack(ctx.images), ctx.cleanup, ctx.ownAddresses);
  ctx.progress.status(`${scenario}: starting the replica`);
  await stack.up({ [APP_SERVICE]: 1 });
  const [replica] = await stack.containers(APP_SERVICE);
  if (replica === undefined) throw new Error(`${scenario}: the replica did not start: ${await stack.logs(APP_SERVICE)}`);
  return { stack, replica };
}

/** compose-lb on the host in front of that replica (see startBalancerOnHost); `env` sets LB_MODE and the like. */
export function balancerInFront(
  ctx: BenchContext,
  { stack }: FastReplica,
  opts: { readonly nodeArgs?: readonly string[]; readonly env?: Readonly<Record<string, string>> } = {},
): Promise<BalancerOnHost> {
  return startBalancerOnHost({
    project: stack.project,
    network: stack.network,
    services: [APP_SERVICE],
    replicas: 1,
    cleanup: ctx.cleanup,
    ...opts,
  });
}
