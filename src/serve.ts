import type { Logger } from 'pino';
import { createAdminServer } from './admin/admin-server';
import { PromMetrics } from './admin/metrics';
import type { Config } from './config';
import type { SnapshotFeed } from './docker/docker-feed';
import { listenOn } from './listen';
import type { AppLogger } from './log';
import { DeadlineList } from './proxy/deadlines';
import type { Exchange, ExchangeContext } from './proxy/exchange';
import { ProxyServer } from './proxy/proxy-server';
import { createWebSocketProxy } from './proxy/websocket';
import { describeRule } from './routing/route-rule';
import { Router } from './routing/router';
import { ServiceStack, type SharedParts } from './service-stack';

export interface RunningBalancer {
  readonly port: number;
  readonly adminPort: number;
  /** Graceful stop; resolves with the number of requests cut off at the deadline. */
  stop(): Promise<number>;
}

export interface ProxyStack {
  /** One per balanced service, in LB_SERVICE order. */
  readonly services: readonly ServiceStack[];
  readonly proxy: ProxyServer;
  readonly metrics: PromMetrics;
}

/**
 * Services -> router -> proxy, wired as in production; tests feed the
 * services' replica sets directly.
 */
export function buildProxyStack(config: Config, log: Logger): ProxyStack {
  const metrics: PromMetrics = new PromMetrics({
    services: () => services,
    openConnections: () => proxy.openConnections,
    openWebSockets: () => services.reduce((n, s) => n + s.replicas.all().reduce((m, b) => m + b.resources.openWebSockets, 0), 0),
  });
  const deadlines = {
    connect: new DeadlineList<Exchange>('connect', config.connectTimeout),
    response: new DeadlineList<Exchange>('response', config.responseTimeout),
    upload: new DeadlineList<Exchange>('upload', config.uploadTimeout),
  };
  let wakeScheduled = false;
  const parts: SharedParts = {
    config,
    log,
    deadlines,
    metricsFor: (service) => metrics.forService(service),
    // Held requests try again once this turn of the event loop is over (a snapshot may change many replicas).
    onReplicasChange: () => {
      if (wakeScheduled) return;
      wakeScheduled = true;
      setImmediate(() => {
        wakeScheduled = false;
        for (const s of services) s.holding.wakeAll();
      });
    },
    onRuleChange: () => {
      router = routerOf(services);
    },
  };
  const services = config.services.map((service) => new ServiceStack(service, parts));
  let router = routerOf(services);
  const proxy: ProxyServer = new ProxyServer(
    (host, path) => {
      const match = router.match(host, path);
      return match === undefined ? undefined : { ctx: match.route.target, path: match.path };
    },
    { metrics: metrics.forService(''), log, accessLog: config.accessLog },
    createWebSocketProxy(config.connectTimeout, config.responseTimeout),
    {
      trustedProxies: config.trustedProxies,
      headersTimeoutMs: config.clientHeadersTimeout,
      requestTimeoutMs: config.clientRequestTimeout,
      socketTimeoutMs: config.clientTimeout,
      keepAliveTimeoutMs: config.clientKeepAliveTimeout,
      maxConnections: config.maxConnections,
      maxRequests: config.maxRequests,
      tickMs: tickInterval(config),
      onTick: (now) => {
        deadlines.connect.expire(now);
        deadlines.response.expire(now);
        deadlines.upload.expire(now);
        for (const s of services) s.tick(now);
      },
    },
  );
  return { services, proxy, metrics };
}

function routerOf(services: readonly ServiceStack[]): Router<ExchangeContext> {
  return new Router(services.map((s) => ({ service: s.service, rule: s.rule, target: s.ctx })));
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
 * The composition root: config -> snapshot feed (Docker) -> each service's
 * replica set and picker -> router -> proxy. Everything with side effects is
 * created here and nowhere else.
 */
export async function startBalancer(config: Config, feed: SnapshotFeed, logger: AppLogger): Promise<RunningBalancer> {
  const { log } = logger;
  const { services, proxy, metrics } = buildProxyStack(config, log);
  const byName = new Map(services.map((s) => [s.service, s]));
  await feed.start((service, snapshot, why) => byName.get(service)?.apply(snapshot, why));
  for (const s of services) s.health.start();

  const admin = createAdminServer({ project: feed.project, strategy: config.strategy, services, registry: metrics.registry });
  const adminAddress = await listenOn(admin, config.adminPort, config.adminHost);
  const address = await proxy.listen(config.listenPort, config.listenHost);
  log.info(
    {
      services: services.map((s) => `${s.service} (${describeRule(s.rule)}, ${s.replicas.all().length} replicas)`),
      project: feed.project,
      port: address.port,
      adminPort: adminAddress.port,
      strategy: config.strategy,
    },
    'compose-lb listening',
  );

  return {
    port: address.port,
    adminPort: adminAddress.port,
    async stop() {
      feed.stop();
      for (const s of services) s.health.stop();
      const cut = await proxy.shutdown(config.shutdownTimeout);
      admin.close();
      admin.closeAllConnections();
      for (const s of services) s.close();
      return cut;
    },
  };
}
