import { Agent, type ClientRequest } from 'node:http';
import type { Duplex } from 'node:stream';
import type { BackendResources } from '../balancer/backend';
import type { Replica } from '../balancer/replica';
import { ReplicaGoneError } from '../errors';

export interface UpstreamOptions {
  /**
   * Idle keep-alive connections are closed after this, before the replica's own
   * keep-alive timeout would close them under a request in flight.
   */
  readonly idleTimeoutMs: number;
  /** Connections to the replica at once; 0 for no limit. Requests over it wait in the agent's queue. */
  readonly maxSockets: number;
}

/** The connections to one replica: a keep-alive pool for HTTP, and its open WebSockets. */
export class Upstream implements BackendResources {
  readonly target: { readonly host: string; readonly port: number; readonly protocol: 'http:' };
  readonly agent: Agent;
  private readonly webSockets = new Set<Duplex>();
  /** The agent's key for this replica's connections and queue. */
  private readonly poolName: string;

  constructor(replica: Replica, opts: UpstreamOptions) {
    this.target = { host: replica.host, port: replica.port, protocol: 'http:' };
    // Node's agent also honours a shorter `Keep-Alive: timeout=N` hint from the replica.
    this.agent = new Agent({
      keepAlive: true,
      timeout: opts.idleTimeoutMs,
      scheduling: 'lifo',
      maxSockets: opts.maxSockets > 0 ? opts.maxSockets : Infinity,
    });
    this.poolName = this.agent.getName({ host: replica.host, port: replica.port });
  }

  /**
   * Runs `send`, which makes one request through this pool, and returns that
   * request if it had to queue for a connection (over maxSockets). http-proxy
   * shows a request only once it has a socket; one whose client left must be
   * destroyed while still queued, for Node then hands the connection on to the
   * next request instead of closing it.
   */
  queued(send: () => void): ClientRequest | undefined {
    if (this.agent.maxSockets === Infinity) {
      send(); // no limit, no queue
      return undefined;
    }
    const before = this.agent.requests[this.poolName]?.length ?? 0;
    send();
    const queue = this.agent.requests[this.poolName];
    return queue !== undefined && queue.length > before ? queue[queue.length - 1] : undefined;
  }

  get openWebSockets(): number {
    return this.webSockets.size;
  }

  /** Follows a proxied WebSocket's client socket, so it can be closed when the replica goes. */
  trackWebSocket(socket: Duplex): void {
    this.webSockets.add(socket);
    socket.once('close', () => this.webSockets.delete(socket));
  }

  drain(): void {
    // A draining replica is shutting down: reuse no connection, so none is cut under a request.
    this.agent.keepSocketAlive = () => false;
    for (const sockets of Object.values(this.agent.freeSockets)) {
      for (const socket of sockets ?? []) socket.destroy();
    }
  }

  close(): void {
    // Requests still queued for a connection would otherwise get new ones to the old address, which
    // Docker may have given to another container by now. Never connected, they retry elsewhere.
    for (const request of [...(this.agent.requests[this.poolName] ?? [])]) {
      request.destroy(new ReplicaGoneError());
    }
    this.agent.destroy();
    for (const socket of this.webSockets) socket.destroy();
    this.webSockets.clear();
  }
}
