import { ConfigError } from '../errors';
import { STACK_LABEL, type SwarmApi } from './swarm-api';

/** Where a balancer running as a Swarm task is: its stack, its networks, and its services' full names. */
export interface SwarmIdentity {
  /** The stack (`docker stack deploy ... NAME`), or undefined for a service made by hand. */
  readonly stack: string | undefined;
  readonly networks: ReadonlySet<string>;
  /** LB_SERVICE names as in the compose file (`web`), as the swarm knows them (`shop_web`). */
  readonly fullName: (service: string) => string;
}

/**
 * Finds the balancer's own task among the swarm's by its container ID (the
 * task may run on another node, where discovery cannot inspect containers),
 * then its service's stack label and the networks the task is attached to.
 */
export async function resolveSwarmIdentity(swarm: SwarmApi, ids: readonly string[]): Promise<SwarmIdentity | undefined> {
  const tasks = await swarm.listTasks(undefined);
  const own = tasks.find((t) => {
    const container = t.Status?.ContainerStatus?.ContainerID;
    return container !== undefined && ids.some((id) => id !== '' && container.startsWith(id));
  });
  if (own === undefined) return undefined;
  const service = own.ServiceID === undefined ? undefined : await swarm.inspectService(own.ServiceID);
  if (service === undefined) throw new ConfigError([`the balancer's task ${own.ID} names a service that is gone`]);
  const stack = service.Spec?.Labels?.[STACK_LABEL];
  const networks = new Set<string>();
  for (const attachment of own.NetworksAttachments ?? []) {
    if (attachment.Network?.ID) networks.add(attachment.Network.ID);
    if (attachment.Network?.Spec?.Name) networks.add(attachment.Network.Spec.Name);
  }
  // Compose files name services short; `docker stack deploy` prefixes them with the stack.
  const fullName = (name: string): string => (stack === undefined || name.startsWith(`${stack}_`) ? name : `${stack}_${name}`);
  return { stack, networks, fullName };
}
