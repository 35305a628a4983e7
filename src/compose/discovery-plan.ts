import { isDeepStrictEqual } from 'node:util';
import type { AddRequest } from './add-plan';
import type { DiscoveryRecord } from './add-record';
import { ComposeInputError } from './compose-errors';
import { serviceNames, type ComposeFile } from './compose-file';
import { DISCOVERY_NETWORK, DISCOVERY_SERVICE, discoveryNetworkSettings } from './discovery-service';
import { balancers } from './find-balancer';
import { isRecord } from './plain-values';
import type { Networking } from './service-networks';
import { addNetwork, type NetworkAddition, type NetworkEntry } from './top-level-networks';

/**
 * `--socket`: `discovery` (the default) puts the socket in compose-lb-discovery
 * alone; `direct` mounts it in the balancer, as compose-lb did before discovery.
 */
export const SOCKET_LAYOUTS = ['discovery', 'direct'] as const;
export type SocketLayout = (typeof SOCKET_LAYOUTS)[number];

/** What a balancer of the split layout needs beside it, and what `add` writes for that. */
export interface DiscoveryPlan {
  readonly record: DiscoveryRecord;
  /** Adds compose-lb's network to the top-level `networks:`; undefined when the file has it. */
  readonly network: NetworkAddition | undefined;
  /** The top-level `networks` as Compose reads them afterwards. */
  readonly networksAfter: Record<string, unknown>;
}

/**
 * Decides whether the file gets compose-lb-discovery and its network or has
 * them already; undefined for `--socket direct`. A service or network of
 * that name that compose-lb did not write is refused, not taken over.
 */
export function planDiscovery(
  file: ComposeFile,
  request: Pick<AddRequest, 'socket' | 'service' | 'swarm'>,
  networking: Networking,
): DiscoveryPlan | undefined {
  const { service } = request;
  const swarm = request.swarm === true;
  if (request.socket === 'direct') return undefined;
  // Swarm has no other layout (swarm-stack.ts).
  const direct = swarm ? '' : ', or pass --socket direct';
  if (networking.networkMode !== undefined) {
    throw new ComposeInputError(
      'network-mode',
      `${service} uses network_mode: ${networking.networkMode}, so its balancer must too, and a service with ` +
        `network_mode cannot join the network ${DISCOVERY_NETWORK} it needs to reach ${DISCOVERY_SERVICE}; ` +
        (swarm ? '' : 'pass --socket direct (the balancer reads the Docker socket itself), or ') +
        `put ${service} on a Compose network`,
    );
  }
  const createdService = !serviceNames(file).includes(DISCOVERY_SERVICE);
  if (!createdService && !isOurDiscovery(file)) {
    throw new ComposeInputError(
      'name-taken',
      `${file.label} has a service ${DISCOVERY_SERVICE} that compose-lb add did not write ` +
        `(no balancer's x-compose-lb record says so); rename it${direct}`,
    );
  }
  const networks = isRecord(file.model['networks']) ? file.model['networks'] : {};
  const current = networks[DISCOVERY_NETWORK];
  const settings = discoveryNetworkSettings(swarm);
  if (current !== undefined && !isDeepStrictEqual(current, settings)) {
    throw new ComposeInputError(
      'name-taken',
      `${file.label} has a network ${DISCOVERY_NETWORK} with settings of its own (${JSON.stringify(current)}), ` +
        `and compose-lb's is ${JSON.stringify(settings)}${swarm ? ' on Swarm' : ''}; rename it${direct}`,
    );
  }
  const network = current === undefined ? addNetwork(file, networkEntry(settings)) : undefined;
  const record = {
    createdService,
    createdNetwork: network !== undefined,
    createdNetworksKey: network?.createdKey === true,
    swarm,
  };
  return { record, network, networksAfter: { ...networks, [DISCOVERY_NETWORK]: settings } };
}

/** compose-lb-discovery is compose-lb's when a balancer's record says add wrote it. */
export function isOurDiscovery(file: ComposeFile): boolean {
  return balancers(file).some((b) => b.record?.discovery?.createdService === true);
}

function networkEntry(settings: Readonly<Record<string, unknown>>): NetworkEntry {
  const texts = Object.entries(settings).map(([k, v]) => [k, String(v)]);
  return { name: DISCOVERY_NETWORK, settings: Object.fromEntries(texts) };
}
