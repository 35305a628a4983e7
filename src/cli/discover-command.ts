import type { Command } from 'commander';
import { DISCOVERY_PORT, PLATFORM_ENV } from '../compose/discovery-service';
import { parseDuration, parsePort } from '../config';
import { startDiscovery } from '../discover';
import type { Platform } from '../discovery/discovery-server';
import { connectionAdvice } from '../docker/connection-advice';
import { DockerodeApi } from '../docker/dockerode-api';
import { ConfigError } from '../errors';
import { createLogger } from '../log';
import { until } from './signals';
import { socketFacts } from './socket-facts';

interface DiscoverFlags {
  readonly platform?: string;
  readonly port?: string;
  readonly listenHost?: string;
  readonly resyncInterval?: string;
  readonly logLevel?: string;
}

/**
 * `compose-lb discover`: the only process with the Docker socket. Balancers
 * (LB_DISCOVERY_URL) follow their services' replicas through it.
 */
export function registerDiscoverCommand(program: Command): void {
  program
    .command('discover')
    .description('watch Docker for the balancers and serve their replicas over HTTP (the only process that needs the socket)')
    .option('--platform <name>', `auto | compose | swarm: what the balancers run on [env ${PLATFORM_ENV}, default auto]`)
    .option('--port <port>', `port to listen on [env LB_DISCOVERY_PORT, default ${DISCOVERY_PORT}]`)
    .option('--listen-host <addr>', 'address to listen on [env LB_LISTEN_HOST, default all]')
    .option('--resync-interval <duration>', 're-list replicas this often [env LB_RESYNC_INTERVAL, default 10s]')
    .option('--log-level <level>', 'fatal | error | warn | info | debug | trace | silent [env LOG_LEVEL, default info]')
    .action(async (flags: DiscoverFlags) => {
      const env = process.env;
      const problems: string[] = [];
      const read = <T>(name: string, raw: string, parse: (s: string) => T): T | undefined => {
        try {
          return parse(raw);
        } catch (err) {
          problems.push(`${name}: ${(err as Error).message}`);
          return undefined;
        }
      };
      const port = read('LB_DISCOVERY_PORT (--port)', flags.port ?? env.LB_DISCOVERY_PORT ?? String(DISCOVERY_PORT), parsePort);
      const resync = read('LB_RESYNC_INTERVAL (--resync-interval)', flags.resyncInterval ?? env.LB_RESYNC_INTERVAL ?? '10s', parseDuration);
      const platform = flags.platform ?? env[PLATFORM_ENV] ?? 'auto';
      if (platform !== 'auto' && platform !== 'compose' && platform !== 'swarm') {
        problems.push(`${PLATFORM_ENV} (--platform): "${platform}" is not auto, compose or swarm`);
      }
      const level = flags.logLevel ?? env.LOG_LEVEL ?? 'info';
      if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(level)) problems.push(`LOG_LEVEL (--log-level): "${level}" is not a level`);
      if (problems.length > 0 || port === undefined || resync === undefined) throw new ConfigError(problems);
      const logger = createLogger(level as 'info');
      const discovery = await startDiscovery(
        {
          platform: platform as Platform,
          port,
          host: flags.listenHost ?? env.LB_LISTEN_HOST,
          resyncIntervalMs: resync,
          advise: (err) => connectionAdvice(err, socketFacts()),
        },
        new DockerodeApi(),
        logger,
      );
      const signal = await until(['SIGTERM', 'SIGINT']);
      logger.log.info({ signal }, 'discovery stopping');
      discovery.stop();
      logger.flush();
    });
}
