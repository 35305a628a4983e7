import type { Duplex } from 'node:stream';
import type { BackendResources } from '../../balancer/backend';
import { ReplicaGoneError } from '../../errors';
import { ReplicaConnection, type ConnectionOwner, type ConnectionUser } from './replica-connection';
import type { RequestFacts } from './response-head';

export interface PoolOptions {
  /**
   * Idle keep-alive connections are closed after this, before the replica's own
   * keep-alive timeout would close them under a request in flight.
   */
  readonly idleTimeoutMs: number;
  /** Connections to the replica at once; 0 for no limit. Requests over it wait in a queue. */
  readonly maxConnections: number;
}

/** A request waiting for a connection. */
interface Waiting {
  readonly user: ConnectionUser;
  readonly request: RequestFacts;
  readonly fresh: boolean;
}

/**
 * The connections to one replica: kept-alive ones are reused newest first
 * (the oldest idle ones are the likeliest to be closed by the replica, and
 * are left to time out), new ones are opened up to the limit, and requests
 * over it wait in order.
 */
export class ReplicaPool implements ConnectionOwner, BackendResources {
  private readonly idle: ReplicaConnection[] = [];
  private readonly waiting: Waiting[] = [];
  private readonly webSockets = new Set<Duplex>();
  private open = 0;
  private draining = false;
  private closedForGood = false;
  private readonly limit: number;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly opts: PoolOptions,
  ) {
    this.limit = opts.maxConnections > 0 ? opts.maxConnections : Infinity;
  }

  /** Where http-proxy connects for a WebSocket. */
  get target(): { host: string; port: number; protocol: 'http:' } {
    return { host: this.host, port: this.port, protocol: 'http:' };
  }

  /** Connections open now, busy or idle. */
  get connections(): number {
    return this.open;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /**
   * Finds `user` a connection: an idle one unless `fresh` asks for a new one
   * (`onConnection` is then called before this returns), else a new one
   * (`onConnection` follows once it is open), else a place in the queue.
   * Returns the connection, or says the request is queued or the replica gone.
   */
  acquire(user: ConnectionUser, request: RequestFacts, fresh: boolean): ReplicaConnection | 'queued' | 'gone' {
    if (this.closedForGood) return 'gone';
    if (!fresh) {
      const connection = this.idle.pop();
      if (connection !== undefined) {
        connection.assign(user, request);
        return connection;
      }
    }
    if (this.open < this.limit) return this.connect(user, request);
    this.waiting.push({ user, request, fresh });
    return 'queued';
  }

  /** Takes a request out of the queue (its client left); false when it was not waiting. */
  withdraw(user: ConnectionUser): boolean {
    const index = this.waiting.findIndex((w) => w.user === user);
    if (index === -1) return false;
    this.waiting.splice(index, 1);
    return true;
  }

  reusable(connection: ReplicaConnection): void {
    if (this.draining || this.closedForGood || connection.idleLimitMs <= 0) {
      connection.destroy();
      return;
    }
    const next = this.nextWaiting(false);
    if (next !== undefined) {
      next.user.onQueuedConnection(connection);
      connection.assign(next.user, next.request);
      return;
    }
    if (this.waiting.length > 0) {
      // Only requests that need a new connection wait: make room for one.
      connection.destroy();
      return;
    }
    connection.idleSince = performance.now();
    this.idle.push(connection);
  }

  closed(connection: ReplicaConnection): void {
    this.open--;
    const index = this.idle.indexOf(connection);
    if (index !== -1) this.idle.splice(index, 1);
    const next = this.open < this.limit ? this.nextWaiting(true) : undefined;
    // A queued request gets the new connection through onConnection, as if it had asked just now.
    if (next !== undefined) next.user.onQueuedConnection(this.connect(next.user, next.request));
  }

  get openWebSockets(): number {
    return this.webSockets.size;
  }

  /** Follows a proxied WebSocket's client socket, so it can be closed when the replica goes. */
  trackWebSocket(socket: Duplex): void {
    this.webSockets.add(socket);
    socket.once('close', () => this.webSockets.delete(socket));
  }

  /** Closes idle connections that have waited longer than allowed. */
  sweep(now: number): void {
    // Oldest first: `idle` is a stack, newest on top.
    while (this.idle.length > 0) {
      const oldest = this.idle[0] as ReplicaConnection;
      if (now - oldest.idleSince < Math.min(this.opts.idleTimeoutMs, oldest.idleLimitMs)) return;
      this.idle.shift();
      oldest.destroy();
    }
  }

  /** The replica is shutting down: reuse no connection, so none is cut under a request. */
  drain(): void {
    this.draining = true;
    for (const connection of this.idle.splice(0)) connection.destroy();
  }

  /** The replica is gone: close everything; queued requests go elsewhere (they were never sent). */
  close(): void {
    this.draining = true;
    this.closedForGood = true;
    for (const connection of this.idle.splice(0)) connection.destroy();
    for (const waiting of this.waiting.splice(0)) waiting.user.onConnectionError(new ReplicaGoneError());
    for (const socket of this.webSockets) socket.destroy();
    this.webSockets.clear();
  }

  private connect(user: ConnectionUser, request: RequestFacts): ReplicaConnection {
    this.open++;
    const connection = new ReplicaConnection(this.host, this.port, this);
    connection.assign(user, request);
    return connection;
  }

  /** The first waiting request that can take a connection of this kind (a kept-alive one, or a new one). */
  private nextWaiting(newConnection: boolean): Waiting | undefined {
    const index = newConnection ? 0 : this.waiting.findIndex((w) => !w.fresh);
    if (index === -1 || this.waiting.length === 0) return undefined;
    return this.waiting.splice(index, 1)[0];
  }
}
