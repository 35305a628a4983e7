import { connect, type Socket } from 'node:net';
import { UpstreamClosedError } from '../../errors';
import { writeAtTurnEnd } from '../turn-end-writes';
import type { ResponseHead, RequestFacts } from './response-head';
import { ResponseReader, type ResponseSink } from './response-reader';

/** The request a connection is carrying, told what happens to it. */
export interface ConnectionUser extends ResponseSink {
  /** A request that waited in its pool's queue has a connection now (open, or being opened). */
  onQueuedConnection(connection: ReplicaConnection): void;
  /** The connection is open (at once for a kept-alive one): the request may be written. */
  onConnection(connection: ReplicaConnection): void;
  /** The connection failed before the response was complete. */
  onConnectionError(err: NodeJS.ErrnoException): void;
  /** What was written has gone out (after `write` returned false). */
  onWritable(): void;
}

/** What a connection tells its pool. */
export interface ConnectionOwner {
  /** The response is complete and the request fully sent: the connection may carry another request. */
  reusable(connection: ReplicaConnection): void;
  closed(connection: ReplicaConnection): void;
}

const CRLF = '\r\n';
const LAST_CHUNK = '0\r\n\r\n';

/**
 * One TCP connection to a replica, carrying one request at a time: writes the
 * request, feeds the replica's bytes to a lenient ResponseReader, and hands
 * itself back to its pool when both are done and the replica allows reuse.
 */
export class ReplicaConnection implements ResponseSink {
  private readonly socket: Socket;
  private readonly reader = new ResponseReader(this);
  private user: ConnectionUser | undefined;
  private connectedYet = false;
  private requestSent = false;
  private head: ResponseHead | undefined;
  private failure: Error | undefined;
  /** Used for a request before: a failure may be the replica closing an idle connection. */
  reused = false;
  /** performance.now() when it went idle, and how long it may stay so. */
  idleSince = 0;
  idleLimitMs = Infinity;

  constructor(
    host: string,
    port: number,
    private readonly owner: ConnectionOwner,
  ) {
    this.socket = connect({ host, port, noDelay: true });
    this.socket.on('connect', () => this.onConnect());
    this.socket.on('data', (data: Buffer) => this.onData(data));
    this.socket.on('end', () => this.onEnd());
    this.socket.on('error', (err) => {
      this.failure ??= err;
    });
    this.socket.on('close', () => this.onClose());
    this.socket.on('drain', () => this.user?.onWritable());
  }

  get connected(): boolean {
    return this.connectedYet;
  }

  /** No byte of an answer to the current request has arrived: the replica may not have seen it. */
  get unanswered(): boolean {
    return this.reader.untouched;
  }

  /** Takes on a request; `onConnection` follows once the connection is open. */
  assign(user: ConnectionUser, request: RequestFacts): void {
    this.user = user;
    this.requestSent = false;
    this.head = undefined;
    this.reader.begin(request);
    if (this.connectedYet) user.onConnection(this);
  }

  /**
   * Writes request bytes; false when the socket's buffer is full (wait for onWritable). Strings are
   * header text: latin1, as Node's parser decoded the client's bytes, so obs-text goes on unchanged.
   */
  write(data: string | Buffer): boolean {
    return typeof data === 'string' ? this.socket.write(data, 'latin1') : this.socket.write(data);
  }

  /**
   * The whole request in one write, so the replica's TCP stack holds all of it or none of it; the
   * request is then complete. It goes out at the end of this event-loop turn, with the others of
   * the turn (turn-end-writes.ts). Returns its size in bytes.
   */
  sendWhole(head: string, body: Buffer | undefined, chunked: boolean): number {
    const headBytes = Buffer.from(head, 'latin1');
    let bytes: Buffer;
    if (body === undefined || body.length === 0) {
      bytes = chunked ? Buffer.concat([headBytes, Buffer.from(LAST_CHUNK)]) : headBytes;
    } else if (chunked) {
      const size = Buffer.from(`${body.length.toString(16)}${CRLF}`);
      bytes = Buffer.concat([headBytes, size, body, Buffer.from(`${CRLF}${LAST_CHUNK}`)]);
    } else {
      bytes = Buffer.concat([headBytes, body]);
    }
    writeAtTurnEnd(this.socket, bytes);
    this.requestSent = true;
    return bytes.length;
  }

  /** A piece of a chunked request body (RFC 9112 section 7.1). */
  writeChunk(data: Buffer): boolean {
    if (data.length === 0) return true;
    this.socket.cork();
    this.socket.write(`${data.length.toString(16)}${CRLF}`);
    this.socket.write(data);
    const more = this.socket.write(CRLF);
    this.socket.uncork();
    return more;
  }

  /** The whole request is out (`chunked`: after the last chunk, which this writes). */
  endRequest(chunked: boolean): void {
    if (chunked) this.socket.write(LAST_CHUNK);
    this.requestSent = true;
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  /** Closes the connection: its user, if any, gets `err` (or a plain close). */
  destroy(err?: Error): void {
    if (err !== undefined) this.failure ??= err;
    this.socket.destroy();
  }

  /** Leaves the connection without a user and closes it, telling nobody (the user withdrew). */
  abandon(): void {
    this.user = undefined;
    this.socket.destroy();
  }

  onHead(head: ResponseHead): void {
    this.head = head;
    this.user?.onHead(head);
  }

  onBody(data: Buffer): void {
    this.user?.onBody(data);
  }

  onComplete(): void {
    const user = this.user;
    this.user = undefined;
    user?.onComplete();
    // Answered before the whole request went out (a 413, a 401): the rest of the body was never read,
    // so nothing tells where the next response would start.
    if (this.requestSent) this.finishExchange();
    else this.socket.destroy();
  }

  private finishExchange(): void {
    const head = this.head;
    if (head === undefined || !head.keepAlive || this.reader.trailing || this.socket.destroyed) {
      this.socket.destroy();
      return;
    }
    this.reused = true;
    // The response's last bytes may have paused the socket for a slow client (Exchange.onBody), and Node
    // emits no 'drain' on a response that has ended: read on, or the next response is never read.
    this.socket.resume();
    if (head.idleHintMs !== undefined) this.idleLimitMs = Math.min(this.idleLimitMs, head.idleHintMs - 1000);
    this.owner.reusable(this);
  }

  private onConnect(): void {
    this.connectedYet = true;
    this.user?.onConnection(this);
  }

  private onData(data: Buffer): void {
    if (this.user === undefined) {
      // Bytes nobody asked for (after a response, or on an idle connection): the stream is out of step.
      this.socket.destroy();
      return;
    }
    try {
      this.reader.push(data);
    } catch (err) {
      this.destroy(err as Error);
    }
  }

  private onEnd(): void {
    if (this.user === undefined) {
      this.socket.destroy();
      return;
    }
    try {
      // A body read until the connection closes ends here.
      this.reader.end();
    } catch (err) {
      this.failure ??= err as Error;
    }
    this.socket.destroy();
  }

  private onClose(): void {
    const user = this.user;
    this.user = undefined;
    this.owner.closed(this);
    if (user !== undefined) user.onConnectionError(this.failure ?? new UpstreamClosedError());
  }
}
