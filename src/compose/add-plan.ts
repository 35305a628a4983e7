import type { Mode } from '../config';
import type { AddRecord } from './add-record';
import { balancedPort, type BalancedPort } from './balanced-port';
import { ComposeInputError } from './compose-errors';
import type { SocketLayout } from './discovery-plan';
import { serviceConfig, type ComposeFile, type ServiceConfig } from './compose-file';
import { keptExpose, planExpose, type ExposePlan } from './expose-edit';
import type { ListenAddress } from './listen-address';
import { planReplicas, type ReplicasPlan } from './replicas-edit';
import { planLabels, writesLabels, type LabelsPlan, type RuleRequest } from './route-labels';
import { indentsFor, keyOf, serviceBlock, type Indents, type KeySpan, type ServiceBlock } from './service-block';
import { networkingOf, type Networking } from './service-networks';

export interface AddRequest {
  readonly service: string;
  readonly image: string;
  /** The reference the user gave, when `image` is its pinned form (--pin). */
  readonly pinnedFrom?: string | undefined;
  /** Group id of the Docker socket on the machine running `add` (see docker-gid.ts). */
  readonly dockerGid: number;
  /** Why `dockerGid` is a guess, when it is: a warning once `add` writes it. */
  readonly dockerGidWarning?: string | undefined;
  /** `--socket`: where the Docker socket goes; undefined for the default (discovery). */
  readonly socket?: SocketLayout | undefined;
  /** `--port`: the container port to balance, for a service that publishes none. */
  readonly port?: number | undefined;
  /** `--listen`: where to publish the balancer, for a service that publishes no ports. */
  readonly listen?: ListenAddress | undefined;
  /** `--host`, `--path-prefix`, `--strip-prefix`: labels routing requests to the service. */
  readonly rule?: RuleRequest | undefined;
  /** `--balancer`: the balancer to add the service to, when the file has several. */
  readonly balancer?: string | undefined;
  /** `--mode tcp`: a balancer of its own, forwarding connections unread. */
  readonly mode?: Mode | undefined;
  /** `--swarm`: written for `docker stack deploy` (swarm-stack.ts); `add` also decides so for a file written that way. */
  readonly swarm?: boolean | undefined;
}

/** Everything `add` decided about the service before touching a line. */
export interface AddPlan {
  readonly request: AddRequest;
  /** The balancer service's name. */
  readonly name: string;
  readonly config: ServiceConfig;
  readonly block: ServiceBlock;
  readonly indents: Indents;
  readonly balanced: BalancedPort;
  readonly networking: Networking;
  /** The service's own `ports:` when they move (a route's: are commented out); undefined when it publishes none. */
  readonly ports: KeySpan | undefined;
  readonly containerName: KeySpan | undefined;
  readonly expose: ExposePlan;
  readonly labels: LabelsPlan;
  readonly replicas: ReplicasPlan;
  readonly record: AddRecord;
}

/**
 * Reads the service and decides what moves where; refuses what cannot be
 * balanced or edited. `route`: the service joins the balancer `name` already
 * in the file, so its ports are commented out instead of moving there.
 */
export function planAdd(file: ComposeFile, request: AddRequest, name: string, route: boolean): AddPlan {
  const { service } = request;
  const config = serviceConfig(file, service);
  const networking = networkingOf(service, config);
  const block = serviceBlock(file, service);
  refuseMerged(block, config, ['ports', 'container_name', ...(writesLabels(request.rule) ? ['labels'] : [])]);
  const balanced = balancedPort(service, config, request.port);
  if (request.listen && balanced.mappings.length > 0) {
    throw new ComposeInputError(
      'ports',
      `${service} already publishes ports, and they move to ${name} as they are; --listen is for a service that publishes none`,
    );
  }
  const indents = indentsFor(file, block);
  const ports = balanced.mappings.length > 0 ? keyOf(block, 'ports') : undefined;
  const containerName = keyOf(block, 'container_name');
  // docker stack deploy ignores expose, with a warning (swarm-stack.ts): it is not written there.
  const expose = request.swarm ? keptExpose(config) : planExpose(file, block, config, balanced.port, indents);
  const labels = planLabels(file, block, config, request.rule, indents);
  const replicas = planReplicas(file, block, config, request.swarm === true, indents);
  const record: AddRecord = {
    service,
    movedPorts: !route && ports !== undefined,
    commentedOutPorts: route && ports !== undefined,
    createdExpose: expose.newKeyLines.length > 0,
    appendedExpose: expose.appended?.item,
    commentedContainerName: containerName !== undefined,
    createdLabels: labels.newKeyLines.length > 0,
    addedLabels: labels.added,
    appendedDependsOn: false,
    createdDeploy: replicas.newKeyLines.length > 0,
    addedReplicas: replicas.added,
  };
  const planned = { expose, labels, replicas, record };
  return { request, name, config, block, indents, balanced, networking, ports, containerName, ...planned };
}

/** A key the service only gets through a `<<` merge cannot be moved or removed from the service's own text. */
function refuseMerged(block: ServiceBlock, config: ServiceConfig, keys: readonly string[]): void {
  for (const key of keys) {
    if (config[key] !== undefined && !keyOf(block, key)) {
      throw new ComposeInputError(
        'merged-key',
        `${block.name} gets "${key}" through a merge (<<), which compose-lb cannot edit; ` +
          `write "${key}" in ${block.name} itself, or remove it from the merged mapping`,
      );
    }
  }
}
