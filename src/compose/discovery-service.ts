import { isDeepStrictEqual } from 'node:util';
import type { ServiceConfig } from './compose-file';
import { scalarList } from './plain-values';
import type { Indents } from './service-block';
import { DOCKER_SOCKET_VOLUME, imageLine, listLines, lockedDownLines, socketLines } from './service-lines';

/**
 * The split layout `add` writes by default: one `compose-lb discover` per
 * file, the only container with the Docker socket, and the balancers reading
 * their replicas from it over a network of their own (ARCHITECTURE.md,
 * "Discovery and the socket").
 */

export const DISCOVERY_SERVICE = 'compose-lb-discovery';

/**
 * Where `compose-lb discover` listens unless LB_DISCOVERY_PORT says otherwise,
 * on the network it shares with the balancers; never published.
 */
export const DISCOVERY_PORT = 8082;

export const DISCOVERY_URL = `http://${DISCOVERY_SERVICE}:${DISCOVERY_PORT}`;

/**
 * Balancers and discovery meet here. Internal: discovery reaches nothing
 * else, and nothing outside reaches it. Discovery needs no network with the
 * replicas: it inspects the balancer's container for its project and networks.
 */
export const DISCOVERY_NETWORK = 'compose-lb';

/** The network as Compose reads it; a `compose-lb` network with other settings is not one to share. */
export const DISCOVERY_NETWORK_SETTINGS: Readonly<Record<string, unknown>> = { internal: true };

export interface DiscoverySpec {
  readonly image: string;
  readonly pinnedFrom: string | undefined;
  readonly dockerGid: number;
}

export function discoveryLines(spec: DiscoverySpec, keyIndent: string, indents: Indents): string[] {
  const probe = ['node', '/app/compose-lb.js', 'probe', '--port', String(DISCOVERY_PORT), '/healthz'];
  return [
    `${keyIndent}${DISCOVERY_SERVICE}: # the only service with the Docker socket; its balancers read replicas from it`,
    imageLine(indents, spec.image, spec.pinnedFrom),
    `${indents.body}command: ["discover"]`,
    ...socketLines(indents, spec.dockerGid),
    ...listLines(indents, 'networks', [DISCOVERY_NETWORK]),
    ...lockedDownLines(indents),
    `${indents.body}healthcheck:`,
    // The image's own HEALTHCHECK asks a balancer's admin port, which discovery does not have.
    `${indents.nested}test: [${['CMD', ...probe].map((arg) => JSON.stringify(arg)).join(', ')}]`,
    `${indents.body}restart: unless-stopped`,
  ];
}

/** A check for checkRewrite: the service reads as discovery, with the socket and only its network. */
export function checkDiscovery(config: ServiceConfig): string | undefined {
  const reads =
    isDeepStrictEqual(config['command'], ['discover']) &&
    isDeepStrictEqual(scalarList(config['volumes']), [DOCKER_SOCKET_VOLUME]) &&
    isDeepStrictEqual(config['networks'], [DISCOVERY_NETWORK]);
  return reads ? undefined : `${DISCOVERY_SERVICE} would not read as written`;
}
