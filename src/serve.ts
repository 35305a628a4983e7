import type { Logger } from 'pino';
import { createAdminServer } from './admin/admin-server';
import type { AdminService } from './admin/views';
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
import type { Snapshot } from './balancer/replica';
import { TcpService } from './tcp/tcp-service';

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
  const running = config.mode === 'tcp' ? await startTcp(config, log) : await startHttp(config, log);
  const byName = new Map(running.services.map((s) => [s.service, s]));
  await feed.start((service, snapshot, why) => byName.get(service)?.apply(snapshot, why));
  running.started();

  running.metrics.source.feed = () => feed.status();
  const admin = createAdminServer({
    project: () => feed.project,
    strategy: config.strategy,
    services: running.services,
    registry: running.metrics.registry,
    feed: () => feed.status(),
  });
  const adminAddress = await listenOn(admin, config.adminPort, config.adminHost);
  log.info(
    {
      mode: config.mode,
      services: running.services.map((s) => `${s.service} (${describeRule(s.rule)}, ${s.replicas.all().length} replicas)`),
      project: feed.project,
      ports: running.ports,
      adminPort: adminAddress.port,
      strategy: config.strategy,
    },
    'compose-lb listening',
  );

  return {
    port: running.ports[0] ?? 0,
    adminPort: adminAddress.port,
    async stop() {
      feed.stop();
      const cut = await running.stop(config.shutdownTimeout);
      admin.close();
      admin.closeAllConnections();
      return cut;
    },
  };
}

/** A balancer's services listening, whichever the mode. */
interface Listening {
  readonly services: readonly (AdminService & { apply(snapshot: Snapshot, why: string): void })[];
  readonly metrics: PromMetrics;
  readonly ports: readonly number[];
  /** The first snapshots are in: start what needs replicas (health probes). */
  started(): void;
  stop(timeoutMs: number): Promise<number>;
}

async function startHttp(config: Config, log: Logger): Promise<Listening> {
  const { services, proxy, metrics } = buildProxyStack(config, log);
  const address = await proxy.listen(config.listenPorts[0] ?? 80, config.listenHost);
  return {
    services,
    metrics,
    ports: [address.port],
    started: () => {
      for (const s of services) s.health.start();
    },
    async stop(timeoutMs) {
      for (const s of services) s.health.stop();
      const cut = await proxy.shutdown(timeoutMs);
      for (const s of services) s.close();
      return cut;
    },
  };
}

/** TCP mode: each service on its own port, its connections balanced as they are. */
async function startTcp(config: Config, log: Logger): Promise<Listening> {
  const services = config.services.map((service) => new TcpService(service, config, log, () => wake()));
  const wake = (): void => {
    setImmediate(() => services.forEach((s) => s.holding.wakeAll()));
  };
  const metrics = new PromMetrics({
    services: () => services,
    openConnections: () => services.reduce((n, s) => n + s.connections, 0),
    openWebSockets: () => 0,
    tcp: () => services,
  });
  const ports: number[] = [];
  for (const [i, s] of services.entries()) ports.push((await s.listen(config.listenPorts[i] ?? 0, config.listenHost)).port);
  const ticker = setInterval(() => services.forEach((s) => s.tick(performance.now())), tickInterval(config));
  ticker.unref();
  return {
    services,
    metrics,
    ports,
    started: () => {},
    async stop(timeoutMs) {
      clearInterval(ticker);
      const cuts = await Promise.all(services.map((s) => s.shutdown(timeoutMs)));
      return cuts.reduce((a, b) => a + b, 0);
    },
  };
}
