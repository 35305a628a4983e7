import { createServer, type Server, type ServerResponse } from 'node:http';
import { findReplica } from '../balancer/replica-ref';
import { unmapIPv4 } from '../proxy/cidr';
import { statusDocument } from './status-document';
import { STATUS_PAGE } from './status-page';
import { replicasDocument, replicaView, type AdminOptions, type AdminService } from './views';

const DRAIN_PATH = /^\/replicas\/([^/]+)\/(drain|undrain)$/;
const PATHS = ['/ (status page)', '/status', '/status/stream', '/healthz', '/services', '/replicas?service=NAME', '/metrics', 'POST /replicas/REPLICA/drain|undrain?service=NAME'];

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

/** How often the status page gets a new picture. */
const STATUS_EVERY_MS = 1_000;

/** The status document as server-sent events, one a second, until the page goes away. */
function streamStatus(opts: AdminOptions, res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
  const send = (): void => {
    res.write(`data: ${JSON.stringify(statusDocument(opts))}\n\n`);
  };
  send();
  const timer = setInterval(send, STATUS_EVERY_MS);
  res.once('close', () => clearInterval(timer));
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
    } else if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(STATUS_PAGE);
    } else if (path === '/status') {
      json(200, statusDocument(opts));
    } else if (path === '/status/stream') {
      streamStatus(opts, res);
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
