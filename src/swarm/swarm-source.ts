import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import { sameSnapshot, sortSnapshot, type Replica, type Snapshot } from '../balancer/replica';
import { backoffDelay, type BackoffPolicy } from '../docker/backoff';
import { JsonStreamParser } from '../docker/json-stream-parser';
import type { SwarmApi } from './swarm-api';
import { taskToReplica } from './task-replica';

export interface SwarmSourceOptions {
  readonly swarm: SwarmApi;
  /** The service's full name in the swarm (`shop_web`). */
  readonly service: string;
  readonly targetPort: number | undefined;
  readonly networks: ReadonlySet<string>;
  readonly log: Logger;
  readonly onSnapshot: (snapshot: Snapshot, why: string) => void;
  /** How often the tasks are listed when nothing is changing. */
  readonly resyncIntervalMs: number;
  /** How often while the service converges (a rolling update, a scale, a node drain). */
  readonly convergingIntervalMs?: number;
  readonly backoff?: BackoffPolicy;
  readonly now?: () => number;
}

/** After a service or node event, tasks are listed quickly for this long: the event only says a change began. */
const CONVERGING_WINDOW_MS = 30_000;
const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 200, maxMs: 10_000 };

/**
 * A Swarm service's tasks as snapshots, the way ReplicaSource follows
 * containers: Swarm's events are coarse (a service was updated, a node
 * drained; no event per task), so they only start a window of fast listing,
 * which also runs while any task is between states; the rest of the time a
 * slower resync catches the rest. A task the orchestrator wants shut down is
 * drained at the first listing that shows it, before its container is killed.
 */
export class SwarmSource {
  private snapshot: Snapshot = [];
  private readonly shutdownAt = new Map<string, number>();
  private readonly skipped = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private stream: Readable | undefined;
  private stopped = false;
  private fastUntil = 0;
  private converging = false;
  private listing: Promise<void> | undefined;
  private failures = 0;
  private readonly now: () => number;

  constructor(private readonly opts: SwarmSourceOptions) {
    this.now = opts.now ?? Date.now;
  }

  current(): Snapshot {
    return this.snapshot;
  }

  get streaming(): boolean {
    return this.stream !== undefined && !this.stream.destroyed && !this.stopped;
  }

  /** Starts; resolves after the first listing (or its failure). */
  async start(): Promise<void> {
    void this.watchEvents();
    await this.list('initial list');
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.stream?.destroy();
  }

  private async watchEvents(): Promise<void> {
    for (let attempt = 0; !this.stopped; ) {
      try {
        this.stream = await this.opts.swarm.streamSwarmEvents();
        if (this.stopped) {
          this.stream.destroy();
          return;
        }
        attempt = 0;
        await this.consume(this.stream);
      } catch (err) {
        if (!this.stopped) this.opts.log.warn({ err }, 'swarm events stream failed; listing tasks on the timer meanwhile');
      }
      if (this.stopped) return;
      await new Promise((resolve) => setTimeout(resolve, backoffDelay(attempt++, this.opts.backoff ?? DEFAULT_BACKOFF)).unref());
    }
  }

  private consume(stream: Readable): Promise<void> {
    const parser = new JsonStreamParser();
    return new Promise((resolve, reject) => {
      stream.on('data', (chunk: Buffer | string) => {
        if (parser.push(chunk, () => {}).length === 0) return;
        // Any service or node change may touch our tasks: list fast for a while.
        this.fastUntil = this.now() + CONVERGING_WINDOW_MS;
        void this.list('swarm event');
      });
      stream.once('end', resolve);
      stream.once('close', resolve);
      stream.once('error', reject);
    });
  }

  private list(why: string): Promise<void> {
    this.listing ??= this.listOnce(why).finally(() => {
      this.listing = undefined;
      this.schedule();
    });
    return this.listing;
  }

  private async listOnce(why: string): Promise<void> {
    try {
      const tasks = await this.opts.swarm.listTasks(this.opts.service);
      this.failures = 0;
      const now = this.now();
      const live = new Set(tasks.map((t) => t.ID));
      for (const id of this.shutdownAt.keys()) if (!live.has(id)) this.shutdownAt.delete(id);
      this.converging = tasks.some((t) => t.DesiredState !== t.Status?.State && t.Status?.State !== 'shutdown');
      const replicas: Replica[] = [];
      for (const task of tasks) {
        if (task.DesiredState !== 'running' && !this.shutdownAt.has(task.ID)) this.shutdownAt.set(task.ID, now);
        const result = taskToReplica(task, {
          service: this.opts.service,
          targetPort: this.opts.targetPort,
          networks: this.opts.networks,
          shutdownSeen: (id) => this.shutdownAt.get(id) ?? now,
        });
        if (result.ok) replicas.push(result.replica);
        else if (this.skipped.get(task.ID) !== result.reason && task.Status?.State === 'running') {
          this.skipped.set(task.ID, result.reason);
          this.opts.log.warn({ task: task.ID, reason: result.reason }, 'task skipped');
        }
      }
      const sorted = sortSnapshot(replicas);
      if (!sameSnapshot(this.snapshot, sorted)) {
        this.snapshot = sorted;
        this.opts.onSnapshot(sorted, why);
      }
    } catch (err) {
      this.failures++;
      this.opts.log.warn({ err }, 'listing swarm tasks failed; keeping the last known replicas');
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    const fast = this.converging || this.now() < this.fastUntil;
    const delay =
      this.failures > 0
        ? backoffDelay(this.failures - 1, this.opts.backoff ?? DEFAULT_BACKOFF)
        : fast
          ? (this.opts.convergingIntervalMs ?? 250)
          : this.opts.resyncIntervalMs;
    this.timer = setTimeout(() => void this.list(fast ? 'tasks converging' : 'periodic resync'), delay);
    this.timer.unref();
  }
}
