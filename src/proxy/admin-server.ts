import { createServer, type Server } from 'node:http';
import type { Backend } from '../balancer/backend';
import type { ReplicaSet } from '../balancer/replica-set';
import type { Registry } from 'prom-client';

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
export function createAdminServer(opts: AdminOptions): Server {
  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const json = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(`${JSON.stringify(body, null, 2)}\n`);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
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
      json(404, { error: 'not found', paths: ['/healthz', '/replicas', '/metrics'] });
    }
  });
}
