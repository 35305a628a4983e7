import type { Logger } from 'pino';
import type { Backend, BackendResources } from './backend';
import type { ReplicaSet } from './replica-set';

/** Opens a TCP connection and closes it; resolves with undefined when it was accepted, else with why not. */
export type ConnectCheck = (host: string, port: number, timeoutMs: number) => Promise<string | undefined>;

/** The first retry comes soon: most servers listen within tens of milliseconds of their start. */
const FIRST_RETRY_MS = 5;
/** Retries double up to this, so a replica serves at most this long after it listens. */
const MAX_RETRY_MS = 50;
/** A replica still not accepting after this long is probably misconfigured: said once, then checked less often. */
const SLOW_AFTER_MS = 30_000;
const SLOW_RETRY_MS = 1_000;

export interface BootWatchOptions<R extends BackendResources> {
  readonly replicas: ReplicaSet<R>;
  readonly check: ConnectCheck;
  /** Bound on one connection attempt. */
  readonly timeoutMs: number;
  readonly log: Logger;
  /** A replica passed: it may need its first health probe now. */
  readonly onAccepting?: () => void;
}

/**
 * Gets new replicas into rotation the moment they listen. Docker reports a
 * container started before its server listens (tens of milliseconds for a
 * small app, seconds for a big one); requests sent in between are refused. So
 * a new replica is tried with plain TCP connections, soon and then every
 * 50 ms, and takes requests from the first one it accepts; held requests go
 * to it at once. HAProxy's default check is the same kind of connection.
 */
export class BootWatch<R extends BackendResources> {
  private readonly watching = new Set<Backend<R>>();
  private stopped = false;

  constructor(private readonly opts: BootWatchOptions<R>) {}

  /** Starts watching replicas that have not accepted a connection yet (call after each snapshot). */
  watchNew(): void {
    for (const backend of this.opts.replicas.all()) {
      if (backend.booting && !this.watching.has(backend)) void this.watch(backend);
    }
  }

  stop(): void {
    this.stopped = true;
  }

  private async watch(backend: Backend<R>): Promise<void> {
    const { replicas, check, timeoutMs, log } = this.opts;
    this.watching.add(backend);
    const since = performance.now();
    let delay = FIRST_RETRY_MS;
    let warned = false;
    try {
      while (!this.stopped && backend.booting && replicas.has(backend)) {
        const { host, port } = backend.replica;
        const failure = await check(host, port, timeoutMs);
        if (failure === undefined) {
          if (this.stopped || !replicas.has(backend)) return;
          const { name, id } = backend.replica;
          log.info({ replica: name, id: id.slice(0, 12), afterMs: Math.round(performance.now() - since) }, 'replica accepts connections');
          replicas.recordAccepting(backend);
          this.opts.onAccepting?.();
          return;
        }
        const waited = performance.now() - since;
        if (waited >= SLOW_AFTER_MS && !warned) {
          warned = true;
          log.warn(
            { replica: backend.replica.name, address: `${host}:${port}`, why: failure, waitedMs: Math.round(waited) },
            'replica does not accept connections yet: does it listen on this port (LB_TARGET_PORT), and can the balancer reach it?',
          );
        }
        await pause(delay);
        delay = warned ? SLOW_RETRY_MS : Math.min(delay * 2, MAX_RETRY_MS);
      }
    } finally {
      this.watching.delete(backend);
    }
  }
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
