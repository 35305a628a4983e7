import type { AddressInfo } from 'node:net';
import { DiscoveryServer, type Platform } from './discovery/discovery-server';
import type { SwarmApi } from './swarm/swarm-api';
import type { DockerApi } from './docker/docker-api';
import { listenOn } from './listen';
import type { AppLogger } from './log';

export interface DiscoverConfig {
  readonly platform: Platform;
  readonly port: number;
  readonly host: string | undefined;
  readonly resyncIntervalMs: number;
  /** Advice for a Docker API this process cannot reach. */
  readonly advise?: (err: NodeJS.ErrnoException) => string | undefined;
}

export interface RunningDiscovery {
  readonly address: AddressInfo;
  stop(): void;
}

/** The composition root of `compose-lb discover`: the Docker API -> replica sources -> the watch endpoint. */
export async function startDiscovery(
  config: DiscoverConfig,
  docker: DockerApi & SwarmApi,
  logger: AppLogger,
): Promise<RunningDiscovery> {
  const discovery = new DiscoveryServer({
    docker,
    swarm: docker,
    platform: config.platform,
    log: logger.log,
    resyncIntervalMs: config.resyncIntervalMs,
    advise: config.advise,
  });
  const address = await listenOn(discovery.server, config.port, config.host);
  logger.log.info({ port: address.port }, 'compose-lb discovery listening');
  return { address, stop: () => discovery.close() };
}
