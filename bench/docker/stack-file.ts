import type { Strategy } from '../../src/config';
import { SUT_CPU } from '../host/host-process';

/** The images `scripts/build-images.sh bench` builds from this checkout. */
export interface StackImages {
  readonly balancer: string;
  readonly app: string;
}

type Service = Record<string, unknown>;
export interface ComposeDocument {
  readonly services: Record<string, Service>;
}

/** The service name replicas run as, in every stack. */
export const APP_SERVICE = 'web';

/** Balancer service names, one per strategy, so strategies can be compared without recreating anything. */
export const balancerService = (strategy: Strategy): string => `lb-${strategy}`;

/** A demo app replica pinned to the systems-under-test CPU (`cpuset`, as `taskset -c 1` pins host processes). */
function appService(images: StackImages, mode: 'async' | 'serial', delayMs: number): Service {
  return {
    image: images.app,
    environment: { DEMO_MODE: mode, DEMO_DELAY_MS: String(delayMs) },
    expose: ['80'],
    cpuset: SUT_CPU,
  };
}

/**
 * compose-lb in its container, as users run it. No published port: load goes
 * to its address on the project network, because docker-proxy (which serves
 * published ports on 127.0.0.1) would add its own copy of every byte to the figures.
 */
function balancerServiceBlock(images: StackImages, strategy: Strategy, dockerGid: number): Service {
  return {
    image: images.balancer,
    environment: { LB_SERVICE: APP_SERVICE, LB_STRATEGY: strategy },
    volumes: ['/var/run/docker.sock:/var/run/docker.sock:ro'],
    group_add: [String(dockerGid)],
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
