import type { Backend, BackendResources } from './backend';
import type { Replica } from './replica';
import type { ReplicaSet } from './replica-set';

/** Probes one replica; resolves with undefined when it is healthy, else with why not. */
export type Probe = (replica: Replica, path: string, timeoutMs: number) => Promise<string | undefined>;

export interface ActiveHealthOptions<R extends BackendResources> {
  readonly replicas: ReplicaSet<R>;
  readonly pathFor: (replica: Replica) => string | undefined;
  readonly probe: Probe;
  readonly intervalMs: number;
  readonly timeoutMs: number;
}

/**
 * Active health checks: every replica with a health path is probed each
 * interval, and new ones as soon as they accept connections, so a replica gets
 * traffic as soon as its first probe passes (a probe sent before it listens
 * would fail, and keep it out for a whole interval). Verdicts go to the
 * replica set, which decides rotation.
 */
export class ActiveHealth<R extends BackendResources> {
  private readonly probing = new Set<Backend<R>>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: ActiveHealthOptions<R>) {}

  start(): void {
    this.timer = setInterval(() => this.probeAll(), this.opts.intervalMs);
    this.timer.unref();
    this.probePending();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Probes replicas not probed yet (call after each snapshot, and when one starts accepting connections). */
  probePending(): void {
    for (const backend of this.opts.replicas.all()) if (backend.probe === 'pending') void this.probeOne(backend);
  }

  private probeAll(): void {
    for (const backend of this.opts.replicas.all()) void this.probeOne(backend);
  }

  private async probeOne(backend: Backend<R>): Promise<void> {
    const path = this.opts.pathFor(backend.replica);
    if (path === undefined || backend.booting || this.probing.has(backend)) return;
    this.probing.add(backend);
    try {
      const failure = await this.opts.probe(backend.replica, path, this.opts.timeoutMs);
      this.opts.replicas.recordProbe(backend, failure);
    } finally {
      this.probing.delete(backend);
    }
  }
}
