import { ActiveHealth } from './balancer/active-health';
import type { Replica } from './balancer/replica';
import { ReplicaSet } from './balancer/replica-set';
import { createPicker } from './balancer/picker';
import type { Config } from './config';
import type { DockerApi } from './docker/docker-api';
import { resolveIdentity } from './docker/identity';
import { ReplicaSource } from './docker/replica-source';
import { listenOn } from './listen';
import type { AppLogger } from './log';
import type { Logger } from 'pino';
import { createAdminServer } from './proxy/admin-server';
import { PromMetrics } from './proxy/metrics';
import { httpProbe } from './proxy/http-probe';
import { DeadlineList } from './proxy/deadlines';
import type { ExchangeContext } from './proxy/exchange';
import { HoldQueue } from './proxy/hold-queue';
import { ProxyServer } from './proxy/proxy-server';
import { ReplicaPool } from './proxy/upstream/replica-pool';
import { StickyCookies } from './proxy/sticky-cookie';
import { createWebSocketProxy } from './proxy/websocket';

export interface RunningBalancer {
  readonly port: number;
  readonly adminPort: number;
  /** Graceful stop; resolves with the number of requests cut off at the deadline. */
  stop(): Promise<number>;
}

export interface ProxyStack {
  readonly replicas: ReplicaSet<ReplicaPool>;
  readonly proxy: ProxyServer;
  readonly metrics: PromMetrics;
  /** Active health checks, when a health path is configured or a replica's label asks for them. */
  readonly health: ActiveHealth<ReplicaPool>;
}

/** Replica set -> picker -> proxy, wired as in production; tests feed the replica set directly. */
export function buildProxyStack(config: Config, log: Logger): ProxyStack {
  const pathFor = (replica: Replica): string | undefined => replica.healthPath ?? config.healthPath;
  const holding = new HoldQueue(config.service, config.holdTimeout, log);
  let proxy: ProxyServer | undefined;
  const replicas = new ReplicaSet<ReplicaPool>({
    probePath: pathFor,
    log,
    createResources: (replica) =>
      new ReplicaPool(replica.host, replica.port, {
        idleTimeoutMs: config.upstreamIdleTimeout,
        maxConnections: config.maxConnsPerReplica,
      }),
    ejection: { failures: config.ejectAfter, baseMs: config.ejectTime, maxMs: config.ejectMaxTime },
    holding: holding.enabled,
    onChange: () => proxy?.replicasChanged(),
  });
  const metrics = new PromMetrics({
    replicas,
    openConnections: () => proxy?.openConnections ?? 0,
    openWebSockets: () => replicas.all().reduce((n, b) => n + b.resources.openWebSockets, 0),
    held: () => holding.size,
  });
  const ctx: ExchangeContext = {
    service: config.service,
    replicas,
    picker: createPicker(config.strategy, { slowStartMs: config.slowStart }),
    log,
    metrics,
    accessLog: config.accessLog,
    maxRetries: config.retries,
    deadlines: {
      connect: new DeadlineList('connect', config.connectTimeout),
      response: new DeadlineList('response', config.responseTimeout),
      upload: new DeadlineList('upload', config.uploadTimeout),
    },
    holding,
    sticky: config.sticky === 'cookie' ? new StickyCookies(config.service, config.stickySecret) : undefined,
  };
  proxy = new ProxyServer(ctx, createWebSocketProxy(ctx, config.connectTimeout, config.responseTimeout), {
    trustedProxies: config.trustedProxies,
    headersTimeoutMs: config.clientHeadersTimeout,
    requestTimeoutMs: config.clientRequestTimeout,
    socketTimeoutMs: config.clientTimeout,
    keepAliveTimeoutMs: config.clientKeepAliveTimeout,
    maxConnections: config.maxConnections,
    maxRequests: config.maxRequests,
    tickMs: tickInterval(config),
  });
  const health = new ActiveHealth({
    replicas,
    pathFor,
    probe: httpProbe,
    intervalMs: config.healthInterval,
    timeoutMs: config.healthTimeout,
  });
  return { replicas, proxy, metrics, health };
}

/**
 * Deadlines are checked on one interval: a quarter of the shortest timeout, so
 * none is overrun by much, and never so often that it costs (10-100 ms).
 */
function tickInterval(config: Config): number {
  const shortest = Math.min(config.connectTimeout, config.responseTimeout, config.uploadTimeout, config.upstreamIdleTimeout / 2);
  return Math.max(10, Math.min(100, Math.floor(shortest / 4)));
}

/**
 * The composition root: config -> identity -> replica source -> replica set ->
 * picker -> proxy. Everything with side effects is created here and nowhere else.
 */
export async function startBalancer(config: Config, docker: DockerApi, logger: AppLogger): Promise<RunningBalancer> {
  const { log } = logger;
  const identity = await resolveIdentity(docker, config);
  const { replicas, proxy, metrics, health } = buildProxyStack(config, log);
  const source = new ReplicaSource({
    docker,
    context: {
      project: identity.project,
      service: config.service,
      targetPort: config.targetPort,
      networks: identity.networks,
    },
    log,
    onSnapshot: (snapshot, why) => {
      replicas.apply(snapshot, why);
      health.probePending();
    },
    resyncIntervalMs: config.resyncInterval,
  });
  await source.start();
  health.start();

  const admin = createAdminServer({
    service: config.service,
    project: identity.project,
    strategy: config.strategy,
    replicas,
    registry: metrics.registry,
  });
  const adminAddress = await listenOn(admin, config.adminPort, config.adminHost);
  const address = await proxy.listen(config.listenPort, config.listenHost);
  log.info(
    {
      service: config.service,
      project: identity.project,
      port: address.port,
      adminPort: adminAddress.port,
      strategy: config.strategy,
      replicas: replicas.all().length,
    },
    'compose-lb listening',
  );

  return {
    port: address.port,
    adminPort: adminAddress.port,
    async stop() {
      source.stop();
      health.stop();
      const cut = await proxy.shutdown(config.shutdownTimeout);
      admin.close();
      admin.closeAllConnections();
      for (const backend of replicas.all()) backend.resources.close();
      return cut;
    },
  };
}
