import { createServer, type Server } from 'node:http';
import type { Backend } from '../balancer/backend';
import type { ReplicaSet } from '../balancer/replica-set';
import type { Registry } from 'prom-client';
import { findReplica } from '../balancer/replica-ref';
import { unmapIPv4 } from './cidr';

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

export interface ReplicasDocument {
  readonly service: string;
  readonly project: string;
  readonly strategy: string;
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

export interface AdminOptions {
  readonly service: string;
  readonly project: string;
  readonly strategy: string;
  readonly replicas: ReplicaSet;
  readonly registry: Registry;
}

export function replicasDocument(opts: AdminOptions, now = Date.now()): ReplicasDocument {
  const replicas = opts.replicas.all().map((b) => replicaView(b, now));
  return {
    service: opts.service,
    project: opts.project,
    strategy: opts.strategy,
    ready: replicas.filter((r) => r.state === 'ready').length,
    replicas,
  };
}

/**
 * The admin endpoint, on its own port so it is never published by accident
 * with the service: /healthz (the process is up and serving), /replicas (JSON)
 * and /metrics (Prometheus).
 */
const DRAIN_PATH = /^\/replicas\/([^/]+)\/(drain|undrain)$/;

/**
 * Drain or undrain by hand. Anyone who reaches the admin port could otherwise take every replica
 * out of rotation, so only the balancer's own container may: `compose-lb drain` runs this through
 * `docker exec`, which needs the Docker access that could stop the containers anyway.
 */
function setDrained(opts: AdminOptions, peer: string | undefined, ref: string, drained: boolean): [number, unknown] {
  if (!isLoopback(peer)) {
    return [403, { error: "drain and undrain are accepted from the balancer's own container only (compose-lb drain uses docker exec)" }];
  }
  const lookup = findReplica(opts.replicas.all(), ref);
  if ('problem' in lookup) return [lookup.problem === 'none' ? 404 : 409, { error: lookup.message }];
  const changed = opts.replicas.setDrainedByHand(lookup.found, drained);
  return [200, { changed, replica: replicaView(lookup.found, Date.now()) }];
}

function isLoopback(address: string | undefined): boolean {
  const plain = address === undefined ? '' : unmapIPv4(address);
  return plain === '::1' || plain.startsWith('127.');
}

export function createAdminServer(opts: AdminOptions): Server {
  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const json = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(`${JSON.stringify(body, null, 2)}\n`);
    };
    const drain = DRAIN_PATH.exec(path);
    if (req.method === 'POST' && drain !== null) {
      json(...setDrained(opts, req.socket.remoteAddress, decodeURIComponent(drain[1] ?? ''), drain[2] === 'drain'));
    } else if (req.method !== 'GET' && req.method !== 'HEAD') {
      json(405, { error: 'method not allowed' });
    } else if (path === '/healthz') {
      const doc = replicasDocument(opts);
      json(200, { status: 'ok', service: doc.service, ready: doc.ready, replicas: doc.replicas.length });
    } else if (path === '/replicas') {
      json(200, replicasDocument(opts));
    } else if (path === '/metrics') {
      opts.registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': opts.registry.contentType });
          res.end(text);
        },
        (err: unknown) => json(500, { error: String(err) }),
      );
    } else {
      json(404, { error: 'not found', paths: ['/healthz', '/replicas', '/metrics', 'POST /replicas/REPLICA/drain|undrain'] });
    }
  });
}
