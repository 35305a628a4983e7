import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ReplicaState } from '../balancer/replica';
import type { ReplicaSet } from '../balancer/replica-set';
import type { Metrics } from '../proxy/request-record';
import type { FailureKind } from '../proxy/upstream-failure';
import type { TcpReplica } from '../tcp/tcp-replica';
import type { FeedStatus } from '../docker/docker-feed';

const STATES: readonly ReplicaState[] = ['ready', 'starting', 'unhealthy', 'draining', 'drained', 'ejected'];

/** One balanced service, as the gauges read it. */
export interface ServiceGauges {
  readonly service: string;
  readonly replicas: ReplicaSet;
  /** Its requests waiting for a ready replica now. */
  readonly holding: { readonly size: number };
}

/** A service in TCP mode: its replicas' connections and bytes. */
export interface TcpGauges {
  readonly service: string;
  readonly replicas: ReplicaSet<TcpReplica>;
}

export interface Gauges {
  readonly services: () => readonly ServiceGauges[];
  readonly openConnections: () => number;
  readonly openWebSockets: () => number;
  /** TCP mode's services, for per-replica connection and byte counts. */
  readonly tcp?: () => readonly TcpGauges[];
}

/** Where the replicas come from, once known (the feed starts after the stack is built). */
export interface FeedGauge {
  feed: (() => FeedStatus) | undefined;
}

/**
 * Prometheus metrics, served on the admin port at /metrics. Every request
 * metric carries the service it went to (empty for requests the balancer
 * refused or could not route).
 */
export class PromMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'service' | 'code'>;
  private readonly errors: Counter<'service' | 'kind'>;
  private readonly latency: Histogram<'service'>;
  private readonly holdTime: Histogram<'service'>;
  private readonly views = new Map<string, Metrics>();
  /** Set by the composition root once the feed exists. */
  readonly source: FeedGauge = { feed: undefined };

  constructor(gauges: Gauges) {
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'compose_lb_requests_total',
      help: 'Requests answered, by service and status code (499: the client went away first)',
      labelNames: ['service', 'code'],
      registers,
    });
    this.errors = new Counter({
      name: 'compose_lb_upstream_errors_total',
      help: 'Failed attempts to get a response from a replica, by service and kind',
      labelNames: ['service', 'kind'],
      registers,
    });
    this.latency = new Histogram({
      name: 'compose_lb_request_duration_seconds',
      help: 'Time from request to the end of its response, by service',
      labelNames: ['service'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.holdTime = new Histogram({
      name: 'compose_lb_hold_duration_seconds',
      help: 'Time requests waited for a ready replica (held), each wait, by service',
      labelNames: ['service'],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 20, 30, 60],
      registers,
    });
    new Gauge({
      name: 'compose_lb_held_requests',
      help: 'Requests waiting for a ready replica now, by service',
      labelNames: ['service'],
      registers,
      collect() {
        for (const s of gauges.services()) this.set({ service: s.service }, s.holding.size);
      },
    });
    new Gauge({
      name: 'compose_lb_replicas',
      help: 'Replicas of each balanced service, by state',
      labelNames: ['service', 'state'],
      registers,
      collect() {
        const now = Date.now();
        for (const s of gauges.services()) {
          const counts = new Map<ReplicaState, number>(STATES.map((state) => [state, 0]));
          for (const b of s.replicas.all()) {
            const state = b.state(now);
            counts.set(state, (counts.get(state) ?? 0) + 1);
          }
          for (const [state, n] of counts) this.set({ service: s.service, state }, n);
        }
      },
    });
    new Gauge({
      name: 'compose_lb_open_connections',
      help: 'Client connections open to the balancer',
      registers,
      collect() {
        this.set(gauges.openConnections());
      },
    });
    if (gauges.tcp !== undefined) tcpGauges(gauges.tcp, registers);
    const source = this.source;
    new Gauge({
      name: 'compose_lb_replicas_source_connected',
      help: 'Whether the source of replicas (the Docker API, or discovery) is reachable; 0: serving with the last view',
      labelNames: ['source'],
      registers,
      collect() {
        const status = source.feed?.();
        if (status !== undefined) this.set({ source: status.source }, status.connected ? 1 : 0);
      },
    });
    new Gauge({
      name: 'compose_lb_open_websockets',
      help: 'WebSockets being proxied',
      registers,
      collect() {
        this.set(gauges.openWebSockets());
      },
    });
  }

  /** What one service's requests report: label lookups done once, the few status codes cached. */
  forService(service: string): Metrics {
    let view = this.views.get(service);
    if (view !== undefined) return view;
    const byStatus = new Map<number, { inc(): void }>();
    const latency = this.latency.labels(service);
    const holdTime = this.holdTime.labels(service);
    view = {
      request: (status, seconds) => {
        let counter = byStatus.get(status);
        if (counter === undefined) {
          counter = this.requests.labels(service, String(status));
          byStatus.set(status, counter);
        }
        counter.inc();
        latency.observe(seconds);
      },
      upstreamError: (kind: FailureKind) => this.errors.inc({ service, kind }),
      held: (seconds) => holdTime.observe(seconds),
    };
    this.views.set(service, view);
    return view;
  }
}

/**
 * TCP mode's figures per replica, read from its counters at scrape time:
 * connections opened, failed and open, and bytes each way (in: from the replica).
 */
function tcpGauges(services: () => readonly TcpGauges[], registers: Registry[]): void {
  const perReplica = (name: string, help: string, read: (r: TcpReplica) => number): void => {
    new Gauge({
      name,
      help,
      labelNames: ['service', 'replica'],
      registers,
      collect() {
        for (const s of services()) {
          for (const b of s.replicas.all()) this.set({ service: s.service, replica: b.replica.name }, read(b.resources));
        }
      },
    });
  };
  perReplica('compose_lb_tcp_connections_opened', 'Connections made to each replica (TCP mode)', (r) => r.opened);
  perReplica('compose_lb_tcp_connections_failed', 'Connections to each replica that failed to open (TCP mode)', (r) => r.failed);
  perReplica('compose_lb_tcp_connections_open', 'Connections open to each replica now (TCP mode)', (r) => r.open);
  perReplica('compose_lb_tcp_bytes_from_replica', 'Bytes received from each replica (TCP mode)', (r) => r.bytesFromReplica);
  perReplica('compose_lb_tcp_bytes_to_replica', 'Bytes sent to each replica (TCP mode)', (r) => r.bytesToReplica);
}
