import { connect, type Socket } from 'node:net';
import type { Logger } from 'pino';
import type { Backend } from '../balancer/backend';
import type { Picker } from '../balancer/picker';
import type { ReplicaSet } from '../balancer/replica-set';
import type { DeadlineList, Timed } from '../proxy/deadlines';
import type { HoldQueue } from '../proxy/hold-queue';
import { writeAtTurnEnd } from '../proxy/turn-end-writes';
import type { TcpReplica } from './tcp-replica';

/** What every connection to one TCP service shares. */
export interface TcpContext {
  readonly service: string;
  readonly replicas: ReplicaSet<TcpReplica>;
  readonly picker: Picker;
  readonly holding: HoldQueue;
  /** Connecting to a replica. */
  readonly connect: DeadlineList<TcpConnection>;
  readonly log: Logger;
}

/**
 * The client's bytes to the replica, as `pipe` would send them (the same
 * backpressure, and the client's end passed on) but written at the end of the
 * event-loop turn, with the other writes to replicas (turn-end-writes.ts).
 */
function relayToReplica(client: Socket, upstream: Socket): void {
  client.on('data', (data: Buffer) => {
    if (!writeAtTurnEnd(upstream, data)) client.pause();
  });
  upstream.on('drain', () => client.resume());
  client.once('end', () => upstream.end());
}

/**
 * One client connection in TCP mode, from accept to close: pick a replica
 * (or hold the client until one is ready), connect, then pipe bytes both ways
 * without reading them. A refused or failed connect is tried on the other
 * replicas (nothing was sent yet). Each replica's connections count as its
 * requests in flight, so least-conn balances open connections.
 */
export class TcpConnection implements Timed {
  deadlineAt = 0;
  timedIn: DeadlineList<Timed> | undefined;
  prevTimed: Timed | undefined;
  nextTimed: Timed | undefined;

  private backend: Backend<TcpReplica> | undefined;
  private upstream: Socket | undefined;
  private tried: Set<Backend<TcpReplica>> | undefined;
  private holdDeadline: number | undefined;
  private held = false;
  private piping = false;
  private done = false;

  constructor(
    private readonly ctx: TcpContext,
    private readonly client: Socket,
  ) {
    // Nothing is read from the client until a replica is connected: its bytes wait in the socket.
    client.pause();
    client.on('error', () => {});
    client.once('close', () => this.finish());
  }

  pick(): void {
    this.held = false;
    if (this.done) return;
    const backend = this.ctx.picker.pick(this.ctx.replicas.candidates(), this.tried);
    if (backend === undefined) {
      this.noReplica();
      return;
    }
    this.backend = backend;
    backend.begin();
    const upstream = connect({ host: backend.resources.host, port: backend.resources.port, noDelay: true });
    this.upstream = upstream;
    this.ctx.connect.add(this, performance.now());
    upstream.once('connect', () => this.onConnect(backend, upstream));
    upstream.once('error', (err: NodeJS.ErrnoException) => {
      if (!this.piping) this.connectFailed(backend, err);
    });
  }

  holdExpired(): void {
    this.ctx.log.warn({ service: this.ctx.service }, 'no replica became ready in time: closing a held connection');
    this.client.destroy();
  }

  onDeadline(list: DeadlineList<Timed>): void {
    if (this.held) {
      this.holdExpired();
      return;
    }
    const err: NodeJS.ErrnoException = Object.assign(new Error(`no connection within ${list.durationMs} ms`), {
      code: 'ERR_CONNECT_TIMEOUT',
    });
    this.upstream?.destroy(err);
  }

  private noReplica(): void {
    if (!this.ctx.holding.enabled) {
      this.client.destroy();
      return;
    }
    this.tried = undefined;
    this.held = true;
    this.holdDeadline ??= performance.now() + this.ctx.holding.timeoutMs;
    this.ctx.holding.hold(this, this.holdDeadline);
  }

  private connectFailed(backend: Backend<TcpReplica>, err: NodeJS.ErrnoException): void {
    this.timedIn?.remove(this);
    backend.end();
    backend.resources.failed++;
    this.ctx.replicas.recordConnectFailure(backend);
    this.ctx.log.warn({ service: this.ctx.service, replica: backend.replica.name, error: err.message, code: err.code }, 'replica refused a connection; trying another');
    this.upstream = undefined;
    this.backend = undefined;
    (this.tried ??= new Set()).add(backend);
    this.pick();
  }

  private onConnect(backend: Backend<TcpReplica>, upstream: Socket): void {
    this.timedIn?.remove(this);
    if (this.done) {
      upstream.destroy();
      return;
    }
    this.piping = true;
    this.ctx.replicas.recordAnswer(backend);
    backend.resources.track(upstream);
    upstream.on('error', () => this.client.destroy());
    upstream.once('close', () => this.client.destroy());
    // Half-closes pass through (allowHalfOpen on both sides), as a protocol may need them.
    relayToReplica(this.client, upstream);
    upstream.pipe(this.client);
    this.client.resume();
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    if (this.held) this.ctx.holding.release(this);
    else this.timedIn?.remove(this);
    this.upstream?.destroy();
    this.backend?.end();
  }
}
