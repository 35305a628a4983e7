import type { Logger } from 'pino';
import { DeadlineList, type Timed } from './deadlines';

/** A request that can wait for a replica. */
export interface Holdable extends Timed {
  /** Try again to find a replica (it may be held again). */
  pick(): void;
  /** The hold ran out: answer 503. */
  holdExpired(): void;
}

/**
 * Requests waiting for a ready replica, oldest first: a restart of every
 * replica should be a short wait for clients, not a burst of 503s. Held
 * requests are tried again whenever the replicas change, and each tick the
 * oldest is tried alone (a replica that refused may be up by now). A request
 * keeps the deadline of its first hold however often it is tried in between;
 * then it gets 503 with Retry-After (RFC 9110 section 15.6.4). Logged once
 * when holding starts and once when it ends, not per request.
 */
export class HoldQueue {
  private readonly list: DeadlineList<Holdable>;
  private since: number | undefined;
  private tries = 0;

  constructor(
    private readonly service: string,
    readonly timeoutMs: number,
    private readonly log: Logger,
  ) {
    this.list = new DeadlineList<Holdable>('hold', timeoutMs);
  }

  /** Holding is on (a zero timeout turns it off: no replica means 503 at once). */
  get enabled(): boolean {
    return this.timeoutMs > 0;
  }

  get size(): number {
    return this.list.size;
  }

  /** Holds a request until `deadlineAt` (performance.now() time). */
  hold(request: Holdable, deadlineAt: number): void {
    this.list.insert(request, deadlineAt);
    if (this.since !== undefined) return;
    this.since = performance.now();
    this.tries = 0;
    this.log.warn({ service: this.service, holdMs: this.timeoutMs }, 'no replica is ready: holding requests');
  }

  /** A held request left (its client went away). */
  release(request: Holdable): void {
    this.list.remove(request);
    this.settle();
  }

  /** Replicas changed: every held request tries again, oldest first. */
  wakeAll(): void {
    this.wake(this.list.size);
  }

  /** Each tick: answer those that waited too long, and let the oldest try again alone. */
  tick(now: number): void {
    this.list.expire(now);
    this.wake(1);
  }

  private wake(count: number): void {
    // Taken off first: a request that finds no replica is put back by its own hold().
    for (const request of this.list.take(count)) {
      this.tries++;
      request.pick();
    }
    this.settle();
  }

  private settle(): void {
    if (this.since === undefined || this.list.size > 0) return;
    const heldMs = Math.round(performance.now() - this.since);
    this.since = undefined;
    this.log.info({ service: this.service, heldMs, tries: this.tries }, 'holding ended: no request is waiting for a replica');
  }
}
