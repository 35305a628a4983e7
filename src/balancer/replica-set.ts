import type { Logger } from 'pino';
import { Backend, type BackendResources } from './backend';
import { EventJournal } from './event-journal';
import { dockerState, type Replica, type Snapshot } from './replica';

/**
 * A stopping replica takes retry-safe requests, when nothing is ready, only while Docker's kill is
 * further away than this: time for a response, with room for a stop timeout shorter than we think.
 */
export const LAST_RESORT_MARGIN_MS = 2_000;

/** Passive health: how a replica that keeps refusing connections is taken out for a while. */
export interface EjectionPolicy {
  /** Consecutive connection failures that eject a replica. */
  readonly failures: number;
  /** First ejection time; it doubles with each ejection in a row. */
  readonly baseMs: number;
  readonly maxMs: number;
}

export interface ReplicaSetOptions<R extends BackendResources> {
  readonly log: Logger;
  readonly createResources: (replica: Replica) => R;
  readonly ejection: EjectionPolicy;
  /** New replicas take no request until a connection to them succeeds (`recordAccepting`). */
  readonly bootGate?: boolean;
  /** Active health: the path a replica is probed on, if it is probed at all. */
  readonly probePath?: (replica: Replica) => string | undefined;
  /**
   * Requests wait for a ready replica (they are held) rather than fail: then even the last replica
   * may be ejected, for a request held a moment beats one sent to a replica that refuses.
   */
  readonly holding?: boolean;
  /** Called when the replicas that may take requests change (a new snapshot, a probe, an ejection). */
  readonly onChange?: () => void;
  readonly now?: () => number;
}

/**
 * The balancer's live view of the replicas: applies Docker snapshots, keeps the
 * per-replica counters that survive them, and answers which replicas may take
 * a request now.
 */
export class ReplicaSet<R extends BackendResources = BackendResources> {
  private readonly byId = new Map<string, Backend<R>>();
  /** What happened to the replicas lately, for the status page. */
  readonly journal = new EventJournal();
  /** Containers drained by hand; kept across snapshots (and a restart) until undrained or gone. */
  private readonly drainedByHand = new Set<string>();
  private ordered: readonly Backend<R>[] = [];
  private ready: readonly Backend<R>[] = [];
  /** When the cached `ready` list goes stale because an ejection ends. */
  private readyUntil = Infinity;
  private readonly now: () => number;

  constructor(private readonly opts: ReplicaSetOptions<R>) {
    this.now = opts.now ?? Date.now;
  }

  /** Every known replica, ready or not, in snapshot order. */
  all(): readonly Backend<R>[] {
    return this.ordered;
  }

  /** Replicas that may take a new request, in snapshot order. */
  candidates(): readonly Backend<R>[] {
    if (this.now() >= this.readyUntil) this.refreshReady();
    return this.ready;
  }

  /** When none is ready: stopping replicas that may still take a request that can safely be sent again. */
  lastResort(now: number): readonly Backend<R>[] {
    return this.ordered.filter((b) => b.usableWhileStopping(now, LAST_RESORT_MARGIN_MS));
  }

  apply(snapshot: Snapshot, why: string): void {
    const next: Backend<R>[] = [];
    const seen = new Set<string>();
    for (const replica of snapshot) {
      seen.add(replica.id);
      next.push(this.update(replica, why));
    }
    for (const id of this.drainedByHand) if (!seen.has(id)) this.drainedByHand.delete(id);
    for (const [id, backend] of this.byId) {
      if (seen.has(id)) continue;
      this.byId.delete(id);
      backend.resources.close();
      this.opts.log.info(
        { replica: backend.replica.name, inflight: backend.inflight, served: backend.served, why },
        'replica removed',
      );
      this.journal.add(backend.replica.name, 'removed', why);
    }
    this.ordered = next;
    // Even with the same ready replicas, stopping ones may have changed (what a held request may use).
    if (!this.refreshReady()) this.opts.onChange?.();
  }

  private update(replica: Replica, why: string): Backend<R> {
    const log = this.opts.log;
    const existing = this.byId.get(replica.id);
    const moved = existing && (existing.replica.host !== replica.host || existing.replica.port !== replica.port);
    const restarted = existing?.replica.stopping === true && !replica.stopping;
    if (existing && (moved || restarted)) {
      // Its connections are useless (new address) or drained for good (it stopped, then started again):
      // start afresh.
      existing.resources.close();
      this.byId.delete(replica.id);
      log.info({ replica: replica.name, why: moved ? 'address changed' : 'restarted' }, 'replica removed');
      this.journal.add(replica.name, 'removed', moved ? 'address changed' : 'restarted');
    } else if (existing) {
      const before = dockerState(existing.replica);
      const after = dockerState(replica);
      existing.replica = replica;
      if (after === 'draining' && before !== 'draining') {
        existing.resources.drain();
        log.info({ replica: replica.name, id: replica.id.slice(0, 12), inflight: existing.inflight, why }, 'replica draining');
        this.journal.add(replica.name, 'draining', why);
      } else if (after !== before) {
        log.info({ replica: replica.name, from: before, to: after, why }, 'replica state changed');
        this.journal.add(replica.name, after, why);
      }
      return existing;
    }
    const backend = new Backend(replica, this.opts.createResources(replica));
    backend.booting = this.opts.bootGate === true;
    if (this.opts.probePath?.(replica) !== undefined) backend.probe = 'pending';
    backend.drainedByHand = this.drainedByHand.has(replica.id);
    this.byId.set(replica.id, backend);
    log.info(
      { replica: replica.name, address: `${replica.host}:${replica.port}`, state: dockerState(replica), why },
      'replica added',
    );
    this.journal.add(replica.name, 'added', why);
    return backend;
  }

  /**
   * Takes a replica out of rotation by hand (`compose-lb drain`), or puts it back: requests in flight
   * finish, new ones go elsewhere, and the container keeps running. Returns false when nothing changed.
   */
  setDrainedByHand(backend: Backend<R>, drained: boolean): boolean {
    if (backend.drainedByHand === drained || !this.byId.has(backend.id)) return false;
    backend.drainedByHand = drained;
    if (drained) this.drainedByHand.add(backend.id);
    else this.drainedByHand.delete(backend.id);
    this.opts.log.info(
      { replica: backend.replica.name, inflight: backend.inflight },
      drained ? 'replica drained by hand' : 'replica back in rotation (undrained by hand)',
    );
    this.journal.add(backend.replica.name, drained ? 'drained by hand' : 'undrained by hand', 'compose-lb drain');
    this.refreshReady();
    return true;
  }

  /** Whether `backend` is still in the set (a snapshot may have removed or replaced it). */
  has(backend: Backend<R>): boolean {
    return this.byId.get(backend.id) === backend;
  }

  /** A starting replica accepted a connection: it may take requests once its health probe, if any, passes. */
  recordAccepting(backend: Backend<R>): void {
    if (!backend.booting || !this.has(backend)) return;
    backend.booting = false;
    this.refreshReady();
  }

  /** A replica answered: it counts as served, and its passive-health record is cleared. */
  recordAnswer(backend: Backend<R>): void {
    backend.answered();
  }

  /**
   * A connection to the replica failed. A stopping one is done taking requests; a ready one is
   * ejected after too many in a row, but never the last one unless requests are held meanwhile.
   */
  recordConnectFailure(backend: Backend<R>): void {
    if (backend.replica.stopping) {
      backend.refusedStopping();
      return;
    }
    const failures = backend.connectFailed();
    const now = this.now();
    if (failures < this.opts.ejection.failures || backend.ejectedUntil > now) return;
    const others = this.candidates().filter((b) => b !== backend).length;
    if (others === 0 && this.opts.holding !== true) return;
    const { baseMs, maxMs } = this.opts.ejection;
    const duration = Math.min(maxMs, baseMs * 2 ** backend.ejections);
    backend.eject(now + duration);
    this.opts.log.warn({ replica: backend.replica.name, forMs: duration }, 'replica ejected after failed connections');
    this.journal.add(backend.replica.name, 'ejected', `${failures} failed connections in a row; out for ${duration} ms`);
    this.refreshReady();
  }

  /** Active health: a probe passed or failed. */
  recordProbe(backend: Backend<R>, failure: string | undefined): void {
    const probe = failure === undefined ? 'passing' : 'failing';
    if (backend.probe === probe || !this.byId.has(backend.id)) return;
    const first = backend.probe === 'pending';
    backend.probe = probe;
    if (probe === 'failing') {
      this.opts.log.warn({ replica: backend.replica.name, why: failure }, 'replica failed its health probe');
      this.journal.add(backend.replica.name, 'unhealthy', failure ?? 'its health probe failed');
    } else if (!first) {
      this.opts.log.info({ replica: backend.replica.name }, 'replica passes its health probe again');
      this.journal.add(backend.replica.name, 'healthy', 'its health probe passes again');
    }
    this.refreshReady();
  }

  /** Recomputes the ready list; true (and onChange called) when it changed. */
  private refreshReady(): boolean {
    const now = this.now();
    let until = Infinity;
    const ready: Backend<R>[] = [];
    for (const backend of this.ordered) {
      if (backend.healthState() !== 'ready') continue;
      if (backend.ejectedUntil > now) until = Math.min(until, backend.ejectedUntil);
      else ready.push(backend);
    }
    const changed = ready.length !== this.ready.length || ready.some((b, i) => b !== this.ready[i]);
    if (changed) {
      // Slow start counts from when a replica became ready (again).
      for (const backend of this.ready) if (!ready.includes(backend)) backend.readySince = undefined;
      for (const backend of ready) backend.readySince ??= now;
    }
    this.ready = ready;
    this.readyUntil = until;
    if (changed) this.opts.onChange?.();
    return changed;
  }
}
