import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import { sameSnapshot, sortSnapshot, type Replica, type Snapshot } from '../balancer/replica';
import { backoffDelay, type BackoffPolicy } from './backoff';
import { serviceLabels, type DockerApi, type DockerEvent } from './docker-api';
import { eventEffect } from './event-effect';
import { JsonStreamParser } from './json-stream-parser';
import { toReplica, type ReplicaContext } from './to-replica';

export interface ReplicaSourceOptions {
  readonly docker: DockerApi;
  readonly context: ReplicaContext;
  readonly log: Logger;
  /** Called with every snapshot that differs from the previous one. */
  readonly onSnapshot: (snapshot: Snapshot, reason: string) => void;
  readonly resyncIntervalMs: number;
  /** Events arriving within this window share one re-list. */
  readonly coalesceMs?: number;
  readonly backoff?: BackoffPolicy;
}

/**
 * A daemon restarted with live-restore replaces its socket file, and a container
 * that bind-mounted the file keeps the old, dead one (moby/moby#31403): no
 * reconnect can succeed. Said once, after this many refused attempts in a row.
 */
const STALE_SOCKET_HINT_AFTER = 6;
const STALE_SOCKET_HINT =
  'the Docker API keeps refusing connections. If dockerd was restarted (live-restore), a bind-mounted ' +
  'socket file is stale: restart this container, or mount the socket\'s directory instead ' +
  '(-v /var/run:/docker-host:ro with DOCKER_HOST=unix:///docker-host/docker.sock; see the README)';

const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 200, maxMs: 10_000 };

/**
 * Keeps a snapshot of the service's replicas in step with Docker: opens the
 * events stream first and only then lists (a list taken before the stream is
 * open misses what happens in between), re-lists on every relevant event,
 * coalescing bursts, and re-lists periodically because the daemon drops events
 * for slow readers. Survives daemon restarts by reconnecting with backoff while
 * the last snapshot keeps serving.
 */
export class ReplicaSource {
  private snapshot: Snapshot = [];
  /** Containers seen stopping, with when Docker will kill them; out of rotation until Docker stops listing them. */
  private readonly stopping = new Map<string, number>();
  /** Last reason each skipped container was logged with, so it is logged once, not every re-list. */
  private readonly skipped = new Map<string, string>();
  private readonly labels: string[];
  private readonly coalesceMs: number;
  private readonly backoff: BackoffPolicy;

  private relistTimer: NodeJS.Timeout | undefined;
  private relistRunning = false;
  private relistAgain = false;
  private relistFailures = 0;
  private resyncTimer: NodeJS.Timeout | undefined;
  private stream: Readable | undefined;
  private stopped = false;
  private firstRelist: Promise<void> | undefined;
  private resolveFirstRelist: (() => void) | undefined;

  constructor(private readonly opts: ReplicaSourceOptions) {
    this.labels = serviceLabels(opts.context.project, opts.context.service);
    this.coalesceMs = opts.coalesceMs ?? 20;
    this.backoff = opts.backoff ?? DEFAULT_BACKOFF;
  }

  current(): Snapshot {
    return this.snapshot;
  }

  /** The events stream is open: the snapshot follows Docker as it changes. */
  get streaming(): boolean {
    return this.stream !== undefined && !this.stream.destroyed && !this.stopped;
  }

  /** Starts watching; resolves after the first re-list has finished (or failed). */
  start(): Promise<void> {
    this.firstRelist ??= new Promise((resolve) => {
      this.resolveFirstRelist = resolve;
    });
    void this.watchEvents();
    this.resyncTimer = setInterval(() => this.requestRelist('periodic resync'), this.opts.resyncIntervalMs);
    this.resyncTimer.unref();
    return this.firstRelist;
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.resyncTimer);
    clearTimeout(this.relistTimer);
    this.stream?.destroy();
  }

  /** Asks for a re-list soon; many requests within the coalescing window share one. */
  requestRelist(reason: string): void {
    if (this.stopped) return;
    if (this.relistRunning) {
      this.relistAgain = true;
      return;
    }
    if (this.relistTimer !== undefined) return;
    this.relistTimer = setTimeout(() => {
      this.relistTimer = undefined;
      void this.relist(reason);
    }, this.coalesceMs);
  }

  private async watchEvents(): Promise<void> {
    let attempt = 0;
    let reconnected = false;
    for (; !this.stopped; reconnected = true) {
      try {
        this.stream = await this.opts.docker.streamEvents(this.labels);
        // stop() may have run while the stream was opening: nothing else would close it.
        if (this.stopped) {
          this.stream.destroy();
          return;
        }
        if (reconnected) this.opts.log.info('docker events stream reconnected; re-listing replicas');
        attempt = 0;
        this.requestRelist(reconnected ? 'events stream reconnected' : 'initial list');
        await this.consume(this.stream);
        this.stream.destroy();
        if (!this.stopped) this.opts.log.warn('docker events stream ended; keeping the last known replicas');
      } catch (err) {
        if (!this.stopped) {
          this.opts.log.warn({ err }, 'docker events stream failed; keeping the last known replicas');
          if (attempt === STALE_SOCKET_HINT_AFTER && (err as NodeJS.ErrnoException).code === 'ECONNREFUSED') {
            this.opts.log.error(STALE_SOCKET_HINT);
          }
          this.finishFirstRelist();
        }
      }
      if (this.stopped) return;
      const delay = backoffDelay(attempt++, this.backoff);
      this.opts.log.info({ delayMs: delay }, 'reconnecting to the docker events stream');
      await new Promise((resolve) => setTimeout(resolve, delay).unref());
    }
  }

  private consume(stream: Readable): Promise<void> {
    const parser = new JsonStreamParser();
    return new Promise((resolve, reject) => {
      stream.on('data', (chunk: Buffer | string) => {
        const events = parser.push(chunk, (text, err) =>
          this.opts.log.warn({ err, text: text.slice(0, 200) }, 'unparseable docker event'),
        );
        for (const event of events) this.onEvent(event as DockerEvent);
      });
      stream.once('end', resolve);
      stream.once('close', resolve);
      stream.once('error', reject);
    });
  }

  private onEvent(event: DockerEvent): void {
    const effect = eventEffect(event, (id) => this.snapshot.find((r) => r.id === id)?.stopSignal);
    this.opts.log.debug({ action: event.Action, id: event.Actor?.ID, effect: effect.kind }, 'docker event');
    if (effect.kind === 'relist') {
      if (event.Action === 'start' || event.Action === 'restart') this.stopping.delete(event.Actor?.ID ?? '');
      this.requestRelist(`container ${event.Action}`);
    } else if (effect.kind === 'stopping') {
      this.markStopping(effect.id, effect.why, effect.killed);
    }
  }

  /**
   * Drains a replica at once, without waiting for a re-list, so it gets no new requests while it shuts
   * down. Its kill deadline is the stop timeout from the first stop signal; SIGKILL makes it now.
   */
  private markStopping(id: string, why: string, killed: boolean): void {
    const now = Date.now();
    const replica = this.snapshot.find((r) => r.id === id);
    const known = this.stopping.get(id);
    const killAt = killed ? now : (known ?? now + (replica?.stopTimeoutMs ?? 10_000));
    this.stopping.set(id, Math.min(killAt, known ?? Infinity));
    if (replica !== undefined && (!replica.stopping || replica.killAt !== this.stopping.get(id))) {
      this.publish(
        this.snapshot.map((r) => (r.id === id ? { ...r, stopping: true, killAt: this.stopping.get(id) } : r)),
        why,
      );
    }
  }

  private async relist(reason: string): Promise<void> {
    this.relistRunning = true;
    this.relistAgain = false;
    try {
      const replicas = await this.listReplicas();
      this.relistFailures = 0;
      this.publish(replicas, reason);
    } catch (err) {
      this.opts.log.warn({ err }, 'listing replicas failed; keeping the last known replicas');
      const delay = backoffDelay(this.relistFailures++, this.backoff);
      setTimeout(() => this.requestRelist('retry after failed re-list'), delay).unref();
    } finally {
      this.relistRunning = false;
      this.finishFirstRelist();
      if (this.relistAgain) this.requestRelist('events during re-list');
    }
  }

  private async listReplicas(): Promise<Snapshot> {
    const { docker, context } = this.opts;
    const ids = await docker.listContainerIds(this.labels);
    const containers = await Promise.all(ids.map((id) => docker.inspectContainer(id)));
    const live = new Set(ids);
    for (const id of this.stopping.keys()) if (!live.has(id)) this.stopping.delete(id);
    for (const id of this.skipped.keys()) if (!live.has(id)) this.skipped.delete(id);

    const replicas: Replica[] = [];
    for (const container of containers) {
      if (container === undefined) continue; // removed between list and inspect
      const result = toReplica(container, context);
      if (result.ok) {
        this.skipped.delete(container.Id);
        const killAt = this.stopping.get(container.Id);
        replicas.push(killAt !== undefined ? { ...result.replica, stopping: true, killAt } : result.replica);
      } else if (this.skipped.get(container.Id) !== result.reason) {
        this.skipped.set(container.Id, result.reason);
        // A container that stopped between list and inspect is routine, not a misconfiguration.
        const level = result.reason === 'not running' ? 'debug' : 'warn';
        this.opts.log[level]({ container: container.Name ?? container.Id, reason: result.reason }, 'container skipped');
      }
    }
    return sortSnapshot(replicas);
  }

  private publish(replicas: Snapshot, reason: string): void {
    if (sameSnapshot(this.snapshot, replicas)) return;
    this.snapshot = replicas;
    this.opts.onSnapshot(replicas, reason);
  }

  private finishFirstRelist(): void {
    this.resolveFirstRelist?.();
    this.resolveFirstRelist = undefined;
  }
}
