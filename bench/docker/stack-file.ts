import { DISCOVERY_PORT } from '../../src/compose/discovery-service';
import type { Strategy } from '../../src/config';
import { ROUTE_LABELS } from '../../src/routing/route-rule';
import { SUT_CPU } from '../host/host-process';

/** The images `scripts/build-images.sh bench` builds from this checkout. */
export interface StackImages {
  readonly balancer: string;
  readonly app: string;
}

type Service = Record<string, unknown>;
export interface ComposeDocument {
  readonly services: Record<string, Service>;
  readonly networks?: Record<string, Service>;
}

/** The service name replicas run as, in every stack. */
export const APP_SERVICE = 'web';

/** Balancer service names, one per strategy, so strategies can be compared without recreating anything. */
export const balancerService = (strategy: Strategy): string => `lb-${strategy}`;

/** The split layout's two services (what `compose-lb add` writes by default; test/fixtures/docker/split.yaml). */
export const DISCOVERY_SERVICE = 'compose-lb-discovery';
export const DISCOVERY_FED_BALANCER = 'lb-discovery-fed';
const DISCOVERY_NETWORK = 'compose-lb';

/** A demo app replica pinned to the systems-under-test CPU (`cpuset`, as `taskset -c 1` pins host processes). */
function appService(images: StackImages, mode: 'async' | 'serial', delayMs: number): Service {
  return {
    image: images.app,
    environment: { DEMO_MODE: mode, DEMO_DELAY_MS: String(delayMs) },
    expose: ['80'],
    cpuset: SUT_CPU,
  };
}

/** The socket, read-only, with its group: for a balancer that finds replicas itself, or for discovery. */
const socketAccess = (dockerGid: number): Service => ({
  volumes: ['/var/run/docker.sock:/var/run/docker.sock:ro'],
  group_add: [String(dockerGid)],
});

/**
 * compose-lb in its container, as users run it. No published port: load goes
 * to its address on the project network, because docker-proxy (which serves
 * published ports on 127.0.0.1) would add its own copy of every byte to the figures.
 */
function balancerServiceBlock(images: StackImages, strategy: Strategy, dockerGid: number): Service {
  return {
    image: images.balancer,
    environment: { LB_SERVICE: APP_SERVICE, LB_STRATEGY: strategy },
    ...socketAccess(dockerGid),
    cpuset: SUT_CPU,
    depends_on: [APP_SERVICE],
  };
}

/** Overhead and memory: one replica, answering `/fast` at once; the proxies run on the host. */
export function fastReplicaStack(images: StackImages): ComposeDocument {
  return { services: { [APP_SERVICE]: appService(images, 'async', 0) } };
}

/** Scaling and churn: the demo app behind one compose-lb per strategy asked for. */
export function balancedStack(
  images: StackImages,
  app: { readonly mode: 'async' | 'serial'; readonly delayMs: number },
  strategies: readonly Strategy[],
  dockerGid: number,
): ComposeDocument {
  const services: Record<string, Service> = { [APP_SERVICE]: appService(images, app.mode, app.delayMs) };
  for (const strategy of strategies) services[balancerService(strategy)] = balancerServiceBlock(images, strategy, dockerGid);
  return { services };
}

/**
 * Churn: the socket layout (balancedStack's) beside the split one, in front of
 * the same replicas: discovery alone holds the socket, on an internal network,
 * and a second balancer follows it (LB_DISCOVERY_URL), so both see the same
 * kills and their drain delays compare side by side.
 */
export function churnStack(images: StackImages, app: { readonly delayMs: number }, strategy: Strategy, dockerGid: number): ComposeDocument {
  const doc = balancedStack(images, { mode: 'async', delayMs: app.delayMs }, [strategy], dockerGid);
  return {
    services: {
      ...doc.services,
      [DISCOVERY_FED_BALANCER]: {
        image: images.balancer,
        environment: {
          LB_SERVICE: APP_SERVICE,
          LB_STRATEGY: strategy,
          LB_DISCOVERY_URL: `http://${DISCOVERY_SERVICE}:${DISCOVERY_PORT}`,
        },
        networks: ['default', DISCOVERY_NETWORK],
        cpuset: SUT_CPU,
        depends_on: [APP_SERVICE, DISCOVERY_SERVICE],
      },
      [DISCOVERY_SERVICE]: {
        image: images.balancer,
        command: ['discover'],
        ...socketAccess(dockerGid),
        networks: [DISCOVERY_NETWORK],
        // The image's HEALTHCHECK asks a balancer's admin port, which discovery has not (as `compose-lb add` writes it).
        healthcheck: { test: ['CMD', 'node', '/app/compose-lb.js', 'probe', '--port', String(DISCOVERY_PORT), '/healthz'] },
        cpuset: SUT_CPU,
      },
    },
    networks: { [DISCOVERY_NETWORK]: { internal: true } },
  };
}

/** Routing: `rules` services of one fast replica each, every one routed by its own host name. */
export function routingStack(images: StackImages, rules: number): ComposeDocument {
  const services: Record<string, Service> = {};
  for (const name of routedServices(rules)) {
    services[name] = { ...appService(images, 'async', 0), labels: { [ROUTE_LABELS.host]: routedHost(name) } };
  }
  return { services };
}

/** r01, r02, ... in LB_SERVICE order, which is the order a router tries rules of equal rank. */
export const routedServices = (count: number): string[] =>
  Array.from({ length: count }, (_, i) => `r${String(i + 1).padStart(2, '0')}`);
export const routedHost = (service: string): string => `${service}.bench.test`;
