import type { DockerHealth, Replica } from '../balancer/replica';
import { routeRuleOf, isDefaultRoute } from '../routing/route-rule';
import { WEIGHT_LABEL } from '../docker/to-replica';
import type { TaskJson } from './swarm-api';

/** What decides whether and how a task becomes a replica. */
export interface TaskContext {
  /** The service's full name in the swarm (`shop_web`). */
  readonly service: string;
  /** Swarm tasks say no exposed port: the replicas' port must be configured. */
  readonly targetPort: number | undefined;
  /** Networks (by ID and by name) the balancer is attached to. */
  readonly networks: ReadonlySet<string>;
  /** When each task was first seen shutting down (epoch ms), to date its kill. */
  readonly shutdownSeen: (taskId: string) => number;
}

export type TaskTranslation = { readonly ok: true; readonly replica: Replica } | { readonly ok: false; readonly reason: string };

const DEFAULT_GRACE_MS = 10_000;
const skip = (reason: string): TaskTranslation => ({ ok: false, reason });

/**
 * One Swarm task as a replica. A task the orchestrator wants shut down (a
 * rolling update, a scale-down, a node drained) while it still runs is a
 * stopping replica: drained before its container is killed, with its kill due
 * its stop grace period after that was seen.
 */
export function taskToReplica(task: TaskJson, ctx: TaskContext): TaskTranslation {
  const state = task.Status?.State;
  if (state !== 'running' && state !== 'starting') return skip(`not running (${state ?? 'unknown'})`);
  if (ctx.targetPort === undefined) return skip('Swarm tasks expose no port: set LB_TARGET_PORT');
  const host = sharedAddress(task, ctx.networks);
  if (host === undefined) return skip('on no network shared with the balancer');
  const labels = task.Spec?.ContainerSpec?.Labels ?? {};
  const route = routeRuleOf(labels);
  if (typeof route === 'string') return skip(route);
  const weight = labels[WEIGHT_LABEL] === undefined ? undefined : Number(labels[WEIGHT_LABEL]);
  const stopTimeoutMs = task.Spec?.ContainerSpec?.StopGracePeriod === undefined ? DEFAULT_GRACE_MS : task.Spec.ContainerSpec.StopGracePeriod / 1e6;
  const stopping = task.DesiredState !== undefined && task.DesiredState !== 'running';
  const health: DockerHealth = state === 'starting' ? 'starting' : 'none';
  return {
    ok: true,
    replica: {
      id: task.Status?.ContainerStatus?.ContainerID || task.ID,
      name: `${ctx.service}.${task.Slot ?? task.ID.slice(0, 12)}`,
      number: task.Slot,
      host,
      port: ctx.targetPort,
      health,
      stopSignal: 15,
      stopping,
      stopTimeoutMs,
      ...(stopping ? { killAt: ctx.shutdownSeen(task.ID) + stopTimeoutMs } : {}),
      ...(weight !== undefined && Number.isInteger(weight) && weight >= 0 ? { weight } : {}),
      ...(isDefaultRoute(route) ? {} : { route }),
    },
  };
}

function sharedAddress(task: TaskJson, networks: ReadonlySet<string>): string | undefined {
  for (const attachment of task.NetworksAttachments ?? []) {
    const id = attachment.Network?.ID;
    const name = attachment.Network?.Spec?.Name;
    const shared = (id !== undefined && networks.has(id)) || (name !== undefined && networks.has(name));
    const address = attachment.Addresses?.[0]?.split('/')[0];
    if (shared && address) return address;
  }
  return undefined;
}
