import { isDeepStrictEqual } from 'node:util';
import type { DiscoveryRecord } from './add-record';
import type { ServiceConfig } from './compose-file';
import { environmentValue } from './find-balancer';
import { isRecord, scalarList } from './plain-values';
import type { Indents } from './service-block';
import { DOCKER_SOCKET_VOLUME, imageLine, listLines, lockedDownLines, restartLines, socketLines } from './service-lines';

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

/**
 * The network as Compose reads it; a `compose-lb` network with other settings
 * is not one to share. On Swarm it is an overlay, reaching every node: docker
 * stack deploy makes one when no driver is named
 * (cli/command/stack/deploy_composefile.go), and it is written so the file
 * reads as what it is. `internal` holds there too: it is passed on as the
 * network's Internal (cli/compose/convert/compose.go), which overlay networks
 * take (`docker network create -d overlay --internal`).
 */
export function discoveryNetworkSettings(swarm: boolean): Readonly<Record<string, unknown>> {
  return swarm ? { driver: 'overlay', internal: true } : { internal: true };
}

/** What `compose-lb discover` runs on (src/cli/discover-command.ts); `auto` unless set. */
export const PLATFORM_ENV = 'LB_PLATFORM';

/**
 * A manager's socket answers for every task and service of the swarm; a
 * worker's knows its own containers only.
 */
const ON_A_MANAGER = 'node.role == manager';

export interface DiscoverySpec {
  readonly image: string;
  readonly pinnedFrom: string | undefined;
  readonly dockerGid: number;
  /** What the balancer that brings discovery holds for the file: whether it is written for Swarm. */
  readonly discovery: Pick<DiscoveryRecord, 'swarm'> | undefined;
}

export function discoveryLines(spec: DiscoverySpec, keyIndent: string, indents: Indents): string[] {
  const probe = ['node', '/app/compose-lb.js', 'probe', '--port', String(DISCOVERY_PORT), '/healthz'];
  const swarm = spec.discovery?.swarm === true;
  return [
    `${keyIndent}${DISCOVERY_SERVICE}: # the only service with the Docker socket; its balancers read replicas from it`,
    imageLine(indents, spec.image, spec.pinnedFrom),
    `${indents.body}command: ["discover"]`,
    // Said, not guessed: discovery then follows the swarm's tasks, on whichever node a balancer runs.
    ...(swarm ? [`${indents.body}environment:`, `${indents.nested}${PLATFORM_ENV}: swarm`] : []),
    ...socketLines(indents, spec.dockerGid, swarm),
    ...listLines(indents, 'networks', [DISCOVERY_NETWORK]),
    ...lockedDownLines(indents, swarm),
    `${indents.body}healthcheck:`,
    // The image's own HEALTHCHECK asks a balancer's admin port, which discovery does not have.
    `${indents.nested}test: [${['CMD', ...probe].map((arg) => JSON.stringify(arg)).join(', ')}]`,
    ...restartLines(indents, swarm, [ON_A_MANAGER], true),
  ];
}

/** A check for checkRewrite: the service reads as discovery, with the socket, only its network, and its platform. */
export function checkDiscovery(swarm: boolean): (config: ServiceConfig) => string | undefined {
  return (config) => {
    const deploy = isRecord(config['deploy']) ? config['deploy'] : {};
    const placement = isRecord(deploy['placement']) ? deploy['placement'] : {};
    const platform = swarm
      ? environmentValue(config['environment'], PLATFORM_ENV) === 'swarm' &&
        isDeepStrictEqual(placement['constraints'], [ON_A_MANAGER]) &&
        deploy['endpoint_mode'] === 'dnsrr'
      : config['environment'] === undefined && config['deploy'] === undefined;
    const reads =
      isDeepStrictEqual(config['command'], ['discover']) &&
      isDeepStrictEqual(scalarList(config['volumes']), [DOCKER_SOCKET_VOLUME]) &&
      isDeepStrictEqual(config['networks'], [DISCOVERY_NETWORK]) &&
      platform;
    return reads ? undefined : `${DISCOVERY_SERVICE} would not read as written`;
  };
}
