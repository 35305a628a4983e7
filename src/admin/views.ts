import type { Registry } from 'prom-client';
import type { Backend } from '../balancer/backend';
import type { ReplicaSet } from '../balancer/replica-set';
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
  readonly holding: { readonly size: number };
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

