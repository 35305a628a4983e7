import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ReplicaSet } from '../balancer/replica-set';
import type { ReplicaState } from '../balancer/replica';
import type { FailureKind } from './upstream-failure';

/** What the proxy reports per request; kept narrow so tests can count calls. */
export interface Metrics {
  request(status: number, seconds: number): void;
  upstreamError(kind: FailureKind): void;
  /** A request waited this long for a ready replica (it was held). */
  held(seconds: number): void;
}

const STATES: readonly ReplicaState[] = ['ready', 'starting', 'unhealthy', 'draining', 'ejected'];

export interface Gauges {
  readonly replicas: ReplicaSet;
  readonly openConnections: () => number;
  readonly openWebSockets: () => number;
  /** Requests waiting for a ready replica now. */
  readonly held: () => number;
}

/** Prometheus metrics, served on the admin port at /metrics. */
export class PromMetrics implements Metrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'code'>;
  private readonly errors: Counter<'kind'>;
  private readonly latency: Histogram;
  private readonly holdTime: Histogram;
  /** Label lookups hash their arguments; the few status codes seen are cached instead. */
  private readonly byStatus = new Map<number, { inc(): void }>();

  constructor(gauges: Gauges) {
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'compose_lb_requests_total',
      help: 'Requests answered, by status code (499: the client went away first)',
      labelNames: ['code'],
      registers,
    });
    this.errors = new Counter({
      name: 'compose_lb_upstream_errors_total',
      help: 'Failed attempts to get a response from a replica, by kind',
      labelNames: ['kind'],
      registers,
    });
    this.latency = new Histogram({
      name: 'compose_lb_request_duration_seconds',
      help: 'Time from request to the end of its response',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.holdTime = new Histogram({
      name: 'compose_lb_hold_duration_seconds',
      help: 'Time requests waited for a ready replica (held), each wait',
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 20, 30, 60],
      registers,
    });
    new Gauge({
      name: 'compose_lb_held_requests',
      help: 'Requests waiting for a ready replica now',
      registers,
      collect() {
        this.set(gauges.held());
      },
    });
    new Gauge({
      name: 'compose_lb_replicas',
      help: 'Replicas of the balanced service, by state',
      labelNames: ['state'],
      registers,
      collect() {
        const now = Date.now();
        const counts = new Map<ReplicaState, number>(STATES.map((s) => [s, 0]));
        for (const b of gauges.replicas.all()) {
          const state = b.state(now);
          counts.set(state, (counts.get(state) ?? 0) + 1);
        }
        for (const [state, n] of counts) this.set({ state }, n);
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
    new Gauge({
      name: 'compose_lb_open_websockets',
      help: 'WebSockets being proxied',
      registers,
      collect() {
        this.set(gauges.openWebSockets());
      },
    });
  }

  request(status: number, seconds: number): void {
    let counter = this.byStatus.get(status);
    if (counter === undefined) {
      counter = this.requests.labels(String(status));
      this.byStatus.set(status, counter);
    }
    counter.inc();
    this.latency.observe(seconds);
  }

  upstreamError(kind: FailureKind): void {
    this.errors.inc({ kind });
  }

  held(seconds: number): void {
    this.holdTime.observe(seconds);
  }
}
