import { dockerState, type Replica, type ReplicaState } from './replica';

/** Per-replica resources owned by the proxy (its connection pool, open WebSockets). */
export interface BackendResources {
  /** Stop reusing idle connections; in-flight requests and WebSockets continue. */
  drain(): void;
  /** The replica is gone: release everything. */
  close(): void;
}

/**
 * A replica as the balancer sees it at run time: Docker's view (`replica`)
 * plus what only the balancer knows (in-flight and served counts, ejection).
 */
export class Backend<R extends BackendResources = BackendResources> {
  inflight = 0;
  served = 0;
  /** Consecutive failed connections, for passive health. */
  failures = 0;
  /** While set and in the future, the replica is ejected (passive health). */
  ejectedUntil = 0;
  /** How many times it has been ejected in a row; grows the ejection time. */
  ejections = 0;
  /** Active health: the last probe's verdict, or undefined when the replica is not probed. */
  probe: 'pending' | 'passing' | 'failing' | undefined;

  constructor(
    public replica: Replica,
    readonly resources: R,
  ) {}

  get id(): string {
    return this.replica.id;
  }

  /** Docker's state, then the balancer's own probe: both must agree before a replica gets traffic. */
  healthState(): ReplicaState {
    const state = dockerState(this.replica);
    if (state !== 'ready') return state;
    if (this.probe === 'pending') return 'starting';
    return this.probe === 'failing' ? 'unhealthy' : 'ready';
  }

  state(now: number): ReplicaState {
    const state = this.healthState();
    return state === 'ready' && this.ejectedUntil > now ? 'ejected' : state;
  }
}
