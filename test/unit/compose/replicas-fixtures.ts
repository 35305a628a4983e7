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
