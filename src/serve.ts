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
import { createProxyEngine } from './proxy/proxy-engine';
import { ProxyServer } from './proxy/proxy-server';
import { Upstream } from './proxy/upstream';

export interface RunningBalancer {
  readonly port: number;
  readonly adminPort: number;
  /** Graceful stop; resolves with the number of requests cut off at the deadline. */
  stop(): Promise<number>;
}

export interface ProxyStack {
  readonly replicas: ReplicaSet<Upstream>;
  readonly proxy: ProxyServer;
  readonly metrics: PromMetrics;
  /** Active health checks, when a health path is configured or a replica's label asks for them. */
  readonly health: ActiveHealth<Upstream>;
}

/** Replica set -> picker -> proxy, wired as in production; tests feed the replica set directly. */
export function buildProxyStack(config: Config, log: Logger): ProxyStack {
  const pathFor = (replica: Replica): string | undefined => replica.healthPath ?? config.healthPath;
  const replicas = new ReplicaSet<Upstream>({
    probePath: pathFor,
    log,
    createResources: (replica) =>
      new Upstream(replica, { idleTimeoutMs: config.upstreamIdleTimeout, maxSockets: config.maxConnsPerReplica }),
    ejection: { failures: config.ejectAfter, baseMs: config.ejectTime, maxMs: config.ejectMaxTime },
  });
  let proxy: ProxyServer | undefined;
  const metrics = new PromMetrics({
    replicas,
    openConnections: () => proxy?.openConnections ?? 0,
    openWebSockets: () => replicas.all().reduce((n, b) => n + b.resources.openWebSockets, 0),
  });
  proxy = new ProxyServer(
    {
      service: config.service,
      engine: createProxyEngine(),
      replicas,
      picker: createPicker(config.strategy),
      log,
      metrics,
      accessLog: config.accessLog,
      connectTimeoutMs: config.connectTimeout,
      responseTimeoutMs: config.responseTimeout,
      maxRetries: config.retries,
    },
    {
      trustedProxies: config.trustedProxies,
      headersTimeoutMs: config.clientHeadersTimeout,
      requestTimeoutMs: config.clientRequestTimeout,
      socketTimeoutMs: config.clientTimeout,
      keepAliveTimeoutMs: config.clientKeepAliveTimeout,
      maxConnections: config.maxConnections,
      maxRequests: config.maxRequests,
    },
  );
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
