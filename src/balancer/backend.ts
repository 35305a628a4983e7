import { PeakEwma } from './peak-ewma';
import { ReplicaStats } from './replica-stats';
import { dockerState, type Replica, type ReplicaState } from './replica';

/** How fast a replica's latency estimate forgets (Linkerd's default decay is 10 s). */
const LATENCY_DECAY_MS = 5_000;

/** Per-replica resources owned by the proxy (its connection pool, open WebSockets). */
export interface BackendResources {
  /** Stop reusing idle connections; in-flight requests and WebSockets continue. */
  drain(): void;
  /** The replica is gone: release everything. */
  close(): void;
}

/**
 * A replica as the balancer sees it at run time: Docker's view (`replica`)
 * plus what only the balancer knows. Its counters change only through these
 * methods, which refuse impossible values, so every writer keeps them honest.
 */
export class Backend<R extends BackendResources = BackendResources> {
  private inflightNow = 0;
  private servedTotal = 0;
  /** Consecutive failed connections, for passive health. */
  private failuresInARow = 0;
  /** While in the future, the replica is ejected (passive health). */
  private ejectedUntilMs = 0;
  /** How many times it has been ejected in a row; grows the ejection time. */
  private ejectionsInARow = 0;
  /** Leniencies its responses needed so far (QUIRK_* bits), so each is logged once. */
  private quirksSeen = 0;
  /** Stopping, it refused a connection: its process no longer takes requests. */
  private refusedWhileStopping = false;
  /** Active health: the last probe's verdict, or undefined when the replica is not probed. */
  probe: 'pending' | 'passing' | 'failing' | undefined;
  /** Out of rotation by hand (`compose-lb drain`), until undrained. */
  drainedByHand = false;
  /**
   * Started but not yet seen to accept a connection: Docker reports a container started well before
   * its server listens, and a request sent in between is refused (BootWatch ends this).
   */
  booting = false;
  /** When it last became ready (epoch ms), for slow start; undefined while it is not. */
  readySince: number | undefined;
  /** Time to the response head, for latency-aware picking. */
  readonly latency = new PeakEwma(LATENCY_DECAY_MS);
  /** Its last minute, for the status page. */
  readonly stats = new ReplicaStats();

  constructor(
    public replica: Replica,
    readonly resources: R,
  ) {}

  get id(): string {
    return this.replica.id;
  }

  /** Its configured share of traffic (label compose-lb.weight); 0 for a backup. */
  get weight(): number {
    return this.replica.weight ?? 1;
  }

  /** Requests (and WebSocket handshakes) sent to it and not yet over. */
  get inflight(): number {
    return this.inflightNow;
  }

  /** Responses it has started to give. */
  get served(): number {
    return this.servedTotal;
  }

  get failures(): number {
    return this.failuresInARow;
  }

  get ejections(): number {
    return this.ejectionsInARow;
  }

  get ejectedUntil(): number {
    return this.ejectedUntilMs;
  }

  /** A request goes to it. */
  begin(): void {
    this.inflightNow++;
  }

  /** A request that went to it is over, whichever way. */
  end(): void {
    if (this.inflightNow === 0) throw new RangeError(`replica ${this.replica.name}: more requests ended than began`);
    this.inflightNow--;
  }

  /** It answered: it is alive, whatever its passive-health record said. */
  answered(): void {
    this.servedTotal++;
    this.failuresInARow = 0;
    this.ejectionsInARow = 0;
  }

  /** A connection to it failed; returns how many have failed in a row. */
  connectFailed(): number {
    return ++this.failuresInARow;
  }

  /** Stopping, it refused a connection: no use sending it more. */
  refusedStopping(): void {
    this.refusedWhileStopping = true;
  }

  /**
   * A stopping replica that may still take a request that can safely be sent again: its process
   * has not refused one, and Docker will not kill it within `marginMs` of `now`.
   */
  usableWhileStopping(now: number, marginMs: number): boolean {
    const { stopping, killAt } = this.replica;
    return stopping && !this.drainedByHand && !this.refusedWhileStopping && killAt !== undefined && killAt - now > marginMs;
  }

  /** Records leniencies a response needed; returns those not seen before. */
  noteQuirks(quirks: number): number {
    const fresh = quirks & ~this.quirksSeen;
    this.quirksSeen |= quirks;
    return fresh;
  }

  /** Out of rotation until `untilMs`; each ejection in a row makes the next one longer. */
  eject(untilMs: number): void {
    this.ejectedUntilMs = untilMs;
    this.failuresInARow = 0;
    this.ejectionsInARow++;
  }

  /**
   * Docker's state, a drain by hand, then the balancer's own checks (accepting connections, the
   * health probe): all must agree before a replica gets traffic.
   */
  healthState(): ReplicaState {
    const state = dockerState(this.replica);
    if (state === 'draining') return state;
    if (this.drainedByHand) return 'drained';
    if (state !== 'ready') return state;
    if (this.booting || this.probe === 'pending') return 'starting';
    return this.probe === 'failing' ? 'unhealthy' : 'ready';
  }

  state(now: number): ReplicaState {
    const state = this.healthState();
    return state === 'ready' && this.ejectedUntilMs > now ? 'ejected' : state;
  }
}
