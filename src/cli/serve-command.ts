import type { Command } from 'commander';
import { flagValues, OPTIONS, parseConfig, rawOptionsFrom, type Config, type ConfigKey } from '../config';
import { connectionAdvice } from '../docker/connection-advice';
import type { Logger } from 'pino';
import { DiscoveryFeed } from '../discovery/discovery-feed';
import { DockerFeed, type SnapshotFeed } from '../docker/docker-feed';
import { readHostFacts } from '../docker/identity';
import { DockerodeApi } from '../docker/dockerode-api';
import { DockerError } from '../errors';
import { createLogger } from '../log';
import { startBalancer } from '../serve';
import { until } from './signals';
import { socketFacts } from './socket-facts';

export function registerServeCommand(program: Command): void {
  const serve = program
    .command('serve')
    .description('run the balancer (normally as the container command); every flag also reads an environment variable');
  for (const key of Object.keys(OPTIONS) as ConfigKey[]) {
    const doc = OPTIONS[key];
    const dflt = doc.default ? `, default ${doc.default}` : '';
    serve.option(doc.flag, `${doc.help} [env ${doc.env}${dflt}]`);
  }
  serve.action(async (flags: Record<string, string | undefined>) => {
    // Validation errors surface here, before anything starts (exit code 2).
    const config = parseConfig(rawOptionsFrom(process.env, flagValues(flags)));
    const logger = createLogger(config.logLevel);
    const { log } = logger;
    process.on('uncaughtException', (err) => {
      log.fatal({ err }, 'uncaught exception; exiting');
      logger.flush();
      process.exit(1);
    });
    const balancer = await openFeed(config, log)
      .then((feed) => startBalancer(config, feed, logger))
      .catch((err: unknown) => {
      const advice = connectionAdvice(err as NodeJS.ErrnoException, socketFacts());
      if (advice === undefined) throw err;
      log.fatal({ err }, advice);
      logger.flush();
      throw new DockerError(advice, { cause: err });
    });
    const signal = await until(['SIGTERM', 'SIGINT']);
    log.info({ signal }, 'shutting down: no new connections, finishing requests in flight');
    const cut = await balancer.stop();
    log.info({ cut }, cut === 0 ? 'stopped cleanly' : 'stopped; some requests were cut off at the deadline');
    logger.flush();
  });
}

/** Replicas from discovery when LB_DISCOVERY_URL is set (no socket here), else from the Docker API. */
async function openFeed(config: Config, log: Logger): Promise<SnapshotFeed> {
  if (config.discoveryUrl === undefined) {
    return DockerFeed.open(new DockerodeApi(), { ...config, resyncIntervalMs: config.resyncInterval }, log);
  }
  return new DiscoveryFeed({ ...config, url: config.discoveryUrl, host: await readHostFacts(), log });
}
