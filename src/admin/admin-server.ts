import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';
import type { Backend } from '../balancer/backend';
import { findReplica } from '../balancer/replica-ref';
import type { ReplicaSet } from '../balancer/replica-set';
import { unmapIPv4 } from '../proxy/cidr';
import type { FeedStatus } from '../docker/docker-feed';
import { describeRule, type RouteRule } from '../routing/route-rule';

/** One replica as /replicas shows it (and as `compose-lb status` reads it). */
export interface ReplicaView {
  readonly id: string;
  readonly name: string;
  readonly number: number | null;
  readonly address: string;
  readonly state: string;
  readonly health: string;
  readonly inflight: number;
  readonly served: number;
  /** Out of rotation by hand (`compose-lb drain`). */
  readonly drained: boolean;
}

/** One balanced service and its replicas: the answer to /replicas. */
export interface ReplicasDocument {
  readonly service: string;
  readonly project: string;
  readonly strategy: string;
  /** Which requests it gets, in words (`default route`, `host api.localhost`, `path /api (stripped)`). */
  readonly route: string;
  readonly ready: number;
  readonly replicas: readonly ReplicaView[];
}

export function replicaView(backend: Backend, now: number): ReplicaView {
  const r = backend.replica;
  return {
    id: r.id.slice(0, 12),
    name: r.name,
    number: r.number ?? null,
    address: `${r.host}:${r.port}`,
    state: backend.state(now),
    health: r.health,
    inflight: backend.inflight,
    served: backend.served,
    drained: backend.drainedByHand,
  };
}

/** A balanced service as the admin endpoint reads it. */
export interface AdminService {
  readonly service: string;
  readonly rule: RouteRule;
  readonly replicas: ReplicaSet;
}

export interface AdminOptions {
  /** Known once the feed has answered (discovery names it). */
  readonly project: () => string;
  readonly strategy: string;
  readonly services: readonly AdminService[];
  readonly registry: Registry;
  /** Where the replicas come from; a view from discovery may be stale while it is unreachable. */
  readonly feed: () => FeedStatus;
}

export function replicasDocument(opts: AdminOptions, service: AdminService, now = Date.now()): ReplicasDocument {
  const replicas = service.replicas.all().map((b) => replicaView(b, now));
  return {
    service: service.service,
    project: opts.project(),
    strategy: opts.strategy,
    route: describeRule(service.rule),
    ready: replicas.filter((r) => r.state === 'ready').length,
    replicas,
  };
}

const DRAIN_PATH = /^\/replicas\/([^/]+)\/(drain|undrain)$/;
const PATHS = ['/healthz', '/services', '/replicas?service=NAME', '/metrics', 'POST /replicas/REPLICA/drain|undrain?service=NAME'];

/** The service a request names with ?service=; the only (or first) one when it names none. */
function serviceOf(opts: AdminOptions, query: URLSearchParams): AdminService | string {
  const name = query.get('service');
  if (name === null) return opts.services[0] ?? 'this balancer balances no service';
  return opts.services.find((s) => s.service === name) ?? `this balancer does not balance "${name}"`;
}

/**
 * Drain or undrain by hand. Anyone who reaches the admin port could otherwise take every replica
 * out of rotation, so only the balancer's own container may: `compose-lb drain` runs this through
 * `docker exec`, which needs the Docker access that could stop the containers anyway.
 */
function setDrained(service: AdminService, peer: string | undefined, ref: string, drained: boolean): [number, unknown] {
  if (!isLoopback(peer)) {
    return [403, { error: "drain and undrain are accepted from the balancer's own container only (compose-lb drain uses docker exec)" }];
  }
  const lookup = findReplica(service.replicas.all(), ref);
  if ('problem' in lookup) return [lookup.problem === 'none' ? 404 : 409, { error: lookup.message }];
  const changed = service.replicas.setDrainedByHand(lookup.found, drained);
  return [200, { changed, replica: replicaView(lookup.found, Date.now()) }];
}

function isLoopback(address: string | undefined): boolean {
  const plain = address === undefined ? '' : unmapIPv4(address);
  return plain === '::1' || plain.startsWith('127.');
}

/**
 * The admin endpoint, on its own port so it is never published by accident
 * with the service: /healthz (the process is up and serving), /services and
 * /replicas (JSON), /metrics (Prometheus), and drain by hand.
 */
export function createAdminServer(opts: AdminOptions): Server {
  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://admin');
    const path = url.pathname;
    const json = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(`${JSON.stringify(body, null, 2)}\n`);
    };
    const drain = DRAIN_PATH.exec(path);
    const needsService = drain !== null || path === '/replicas';
    const service = needsService ? serviceOf(opts, url.searchParams) : undefined;
    if (typeof service === 'string') {
      json(404, { error: service });
    } else if (req.method === 'POST' && drain !== null && service !== undefined) {
      json(...setDrained(service, req.socket.remoteAddress, decodeURIComponent(drain[1] ?? ''), drain[2] === 'drain'));
    } else if (req.method !== 'GET' && req.method !== 'HEAD') {
      json(405, { error: 'method not allowed' });
    } else if (path === '/healthz') {
      const services = opts.services.map((s) => replicasDocument(opts, s));
      const feed = opts.feed();
      json(200, {
        // Still serving with the last view: the process is healthy, and says the view may be old.
        status: feed.connected ? 'ok' : 'stale',
        replicasFrom: { ...feed, since: new Date(feed.since).toISOString() },
        services: services.map(({ service: name, ready, replicas }) => ({ service: name, ready, replicas: replicas.length })),
      });
    } else if (path === '/services') {
      json(200, { project: opts.project(), services: opts.services.map((s) => replicasDocument(opts, s)) });
    } else if (path === '/replicas' && service !== undefined) {
      json(200, replicasDocument(opts, service));
    } else if (path === '/metrics') {
      opts.registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': opts.registry.contentType });
          res.end(text);
        },
        (err: unknown) => json(500, { error: String(err) }),
      );
    } else {
      json(404, { error: 'not found', paths: PATHS });
    }
  });
}
