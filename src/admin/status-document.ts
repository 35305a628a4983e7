import type { ReplicaEvent } from '../balancer/event-journal';
import type { FeedStatus } from '../docker/docker-feed';
import { describeRule } from '../routing/route-rule';
import { replicaView, type AdminOptions, type AdminService, type ReplicaView } from './views';

/** A replica on the status page: its view, and its last minute. */
export interface ReplicaStatus extends ReplicaView {
  readonly weight: number;
  readonly reqPerSec: number;
  readonly errors: number;
  readonly p50: number | null;
  readonly p99: number | null;
}

export interface ServiceStatus {
  readonly service: string;
  readonly route: string;
  readonly ready: number;
  /** Requests waiting for a ready replica now. */
  readonly held: number;
  readonly replicas: readonly ReplicaStatus[];
  /** Newest first. */
  readonly events: readonly ReplicaEvent[];
}

/** Everything the status page shows, as JSON (/status, and each message of /status/stream). */
export interface StatusDocument {
  readonly at: number;
  readonly project: string;
  readonly strategy: string;
  readonly replicasFrom: FeedStatus;
  readonly services: readonly ServiceStatus[];
}

export function statusDocument(opts: AdminOptions, now = Date.now()): StatusDocument {
  return {
    at: now,
    project: opts.project(),
    strategy: opts.strategy,
    replicasFrom: opts.feed(),
    services: opts.services.map((s) => serviceStatus(s, now)),
  };
}

function serviceStatus(service: AdminService, now: number): ServiceStatus {
  const replicas = service.replicas.all().map((b) => ({ ...replicaView(b, now), weight: b.weight, ...b.stats.view(now) }));
  return {
    service: service.service,
    route: describeRule(service.rule),
    ready: replicas.filter((r) => r.state === 'ready').length,
    held: service.holding.size,
    replicas,
    events: [...service.replicas.journal.recent()].reverse(),
  };
}
