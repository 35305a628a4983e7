import { sameRule, type RouteRule } from '../routing/route-rule';

/**
 * Our own record of one replica, translated from Docker's container JSON in
 * one place (src/docker/to-replica.ts) so nothing past the Docker edge sees
 * Docker's types.
 */
export type DockerHealth = 'none' | 'starting' | 'healthy' | 'unhealthy';

export interface Replica {
  /** Full container ID. */
  readonly id: string;
  /** Container name, without Docker's leading slash. */
  readonly name: string;
  /** Compose's container number (`com.docker.compose.container-number`). */
  readonly number: number | undefined;
  /** IP address on the network the replica shares with the balancer. */
  readonly host: string;
  readonly port: number;
  readonly health: DockerHealth;
  /** Signal number `docker stop` sends this container first (its STOPSIGNAL). */
  readonly stopSignal: number;
  /** A stop or kill was seen: take it out of rotation and let in-flight requests finish. */
  readonly stopping: boolean;
  /** How long Docker waits after the stop signal before it kills (`StopTimeout`; Compose's stop_grace_period). */
  readonly stopTimeoutMs: number;
  /** Once stopping: when Docker will kill it (epoch ms), as far as the balancer can tell. */
  readonly killAt?: number | undefined;
  /** Active health path from the replica's own label, if it sets one. */
  readonly healthPath?: string | undefined;
  /**
   * Its share of traffic against the others' (label `compose-lb.weight`, default 1). 0 makes it a
   * backup: it gets requests only when no replica of positive weight can take them.
   */
  readonly weight?: number | undefined;
  /** The routing rule its labels set (compose-lb.host, compose-lb.path-prefix); the service's rule. */
  readonly route?: RouteRule | undefined;
}

/** A replica set as Docker last described it, ordered by container number. */
export type Snapshot = readonly Replica[];

/** `drained`: taken out of rotation by hand (`compose-lb drain`), its container still running. */
export type ReplicaState = 'ready' | 'starting' | 'unhealthy' | 'draining' | 'drained' | 'ejected';

/** The part of a replica's state that Docker alone decides. */
export function dockerState(replica: Replica): ReplicaState {
  if (replica.stopping) return 'draining';
  if (replica.health === 'starting') return 'starting';
  if (replica.health === 'unhealthy') return 'unhealthy';
  return 'ready';
}

export function sortSnapshot(replicas: readonly Replica[]): Snapshot {
  return [...replicas].sort(
    (a, b) => (a.number ?? Infinity) - (b.number ?? Infinity) || a.id.localeCompare(b.id),
  );
}

/** True when two snapshots would route traffic identically, so a rebuild can be skipped. */
export function sameSnapshot(a: Snapshot, b: Snapshot): boolean {
  return a.length === b.length && a.every((r, i) => sameReplica(r, b[i]));
}

function sameReplica(a: Replica, b: Replica | undefined): boolean {
  return (
    b !== undefined &&
    a.id === b.id &&
    a.host === b.host &&
    a.port === b.port &&
    a.health === b.health &&
    a.stopping === b.stopping &&
    a.killAt === b.killAt &&
    a.weight === b.weight &&
    (a.route === b.route || (a.route !== undefined && b.route !== undefined && sameRule(a.route, b.route))) &&
    a.name === b.name
  );
}
