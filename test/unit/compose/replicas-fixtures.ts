import type { ReplicaStatus, ServiceStatus, StatusDocument } from '../../../src/admin/status-document';
import type { ReplicasDocument, ReplicaView } from '../../../src/admin/views';

/** A replica as the admin endpoint shows it; number n has address 172.18.0.(n+2). */
export function replica(number: number, state: string, over: Partial<ReplicaView> = {}): ReplicaView {
  return {
    id: `abc${number}`.padEnd(12, '0'),
    name: `demo-web-${number}`,
    number,
    address: `172.18.0.${number + 2}:80`,
    state,
    health: 'none',
    inflight: 0,
    served: number * 10,
    drained: state === 'drained',
    ...over,
  };
}

export function replicasDoc(replicas: ReplicaView[]): ReplicasDocument {
  return {
    service: 'web',
    project: 'demo',
    strategy: 'round-robin',
    route: 'default route',
    ready: replicas.filter((r) => r.state === 'ready').length,
    replicas,
  };
}

/** A replica as /status shows it: its view, weight and last minute. */
export function replicaStatus(number: number, state: string, over: Partial<ReplicaStatus> = {}): ReplicaStatus {
  return { ...replica(number, state), weight: 1, reqPerSec: 0, errors: 0, p50: null, p99: null, ...over };
}

/** The balancer's /status at `at` (epoch ms), its replicas from discovery, connected. */
export function statusDoc(services: ServiceStatus[], at = Date.UTC(2026, 0, 2, 3, 4, 5)): StatusDocument {
  return {
    at,
    project: 'demo',
    strategy: 'round-robin',
    replicasFrom: { source: 'discovery', connected: true, since: at - 60_000 },
    services,
  };
}

export function serviceStatus(replicas: ReplicaStatus[], over: Partial<ServiceStatus> = {}): ServiceStatus {
  return {
    service: 'web',
    route: 'default route',
    ready: replicas.filter((r) => r.state === 'ready').length,
    held: 0,
    replicas,
    events: [],
    ...over,
  };
}
