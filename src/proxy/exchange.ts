import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import type { Backend } from '../balancer/backend';
import type { Picker } from '../balancer/picker';
import type { ReplicaSet } from '../balancer/replica-set';
import { ReplicaGoneError, UpstreamTimeoutError } from '../errors';
import type { ClientRequest, ClientResponse } from './client/client-message';
import type { DeadlineList, Timed } from './deadlines';
import { plainTextHeaders } from './headers';
import type { HoldQueue } from './hold-queue';
import { recordRequest, type Metrics } from './request-record';
import { serializeRequestHead, type UpstreamRequest } from './request-head';
import { StickyCookies } from './sticky-cookie';
import type { ReplicaConnection, ConnectionUser } from './upstream/replica-connection';
import type { ReplicaPool } from './upstream/replica-pool';
import { describeQuirks, type RequestFacts, type ResponseHead } from './upstream/response-head';
import { classifyFailure, isRetrySafe, isUnreadReset, shouldRetry, statusFor, type FailureKind } from './upstream-failure';

/** The deadlines a request may be waiting on; one at a time. */
export interface ExchangeDeadlines {
  /** Opening a connection to a replica. */
  readonly connect: DeadlineList<Exchange>;
  /** The replica's response head (and a place in its connection queue). */
  readonly response: DeadlineList<Exchange>;
  /** The client's next piece of request body. */
  readonly upload: DeadlineList<Exchange>;
}

/** What every exchange of one service shares. */
export interface ExchangeContext {
  readonly service: string;
  readonly replicas: ReplicaSet<ReplicaPool>;
  readonly picker: Picker;
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly accessLog: boolean;
  readonly maxRetries: number;
  readonly deadlines: ExchangeDeadlines;
  readonly holding: HoldQueue;
  /** Sticky sessions, when LB_STICKY=cookie. */
  readonly sticky: StickyCookies | undefined;
}

/** The server an exchange runs in. */
export interface ExchangeHost {
  /**
   * Shutting down: responses not yet begun say "Connection: close", for a connection announced as
   * kept alive and then closed would race the client's next request (RFC 9112 section 9.6).
   */
  readonly closing: boolean;
  /** The response is over, whichever way it ended. */
  requestDone(): void;
}

/** Upstream failures are routine operations news: code and message, no stack. */
function errorFields(err: NodeJS.ErrnoException): { error: string; code: string | undefined } {
  return { error: err.message, code: err.code };
}

/**
 * One client request from arrival to the end of its response, in the order it
 * happens: pick a replica (or hold the request until one is ready), open or
 * reuse a connection, write the request head and stream the body, relay the
 * response head and body, retry where no replica can have acted on the
 * request, and answer with a status of its own when no replica can.
 * Per-request state lives here and nowhere else.
 */
export class Exchange implements ConnectionUser, Timed {
  // Timed: the one deadline this request waits on.
  deadlineAt = 0;
  timedIn: DeadlineList<Timed> | undefined;
  prevTimed: Timed | undefined;
  nextTimed: Timed | undefined;

  private readonly startedAt = performance.now();
  private readonly facts: RequestFacts;
  /** Safe to send again after a broken connection: idempotent and without a body (RFC 9110 section 9.2.2). */
  private readonly retrySafe: boolean;
  private backend: Backend<ReplicaPool> | undefined;
  private connection: ReplicaConnection | undefined;
  /** The connection is open and the request went out on it. */
  private connected = false;
  /** The current try still counts as in flight on `backend`. */
  private trying = false;
  private attempts = 0;
  private resetRetries = 0;
  private tried: Set<Backend<ReplicaPool>> | undefined;
  /** Some of the request body was streamed to a replica: it cannot be sent again. */
  private bodySent = false;
  /** The body of a request that arrived whole before it was sent, kept to send it again. */
  private wholeBody: Buffer | undefined;
  /** Size of the current try's request when it went out in one write. */
  private wholeBytes: number | undefined;
  private bodyDone = false;
  private stopBody: (() => void) | undefined;
  /** The response head went to the client. */
  private responded = false;
  private clientGone = false;
  /** The replica broke off its response after the head went out: the balancer cut the client off. */
  private replicaFailed = false;
  private heldSince: number | undefined;
  /** With sticky sessions: the replica key the client's cookie names, or '' for none (read once). */
  private pinnedTo: string | undefined;
  /** performance.now() when the current try began: latency counts from here to the response head. */
  private sentAt = 0;
  /** When holding ends for this request, however often it is tried in between. */
  private holdDeadline: number | undefined;
  /** Listens for the client closing its side while the request waits for a replica. */
  private clientWatch: (() => void) | undefined;

  constructor(
    private readonly ctx: ExchangeContext,
    private readonly req: ClientRequest,
    private readonly res: ClientResponse,
    /** The request body's stream: Node's IncomingMessage when the request has a body (else undefined). */
    private readonly body: Readable | undefined,
    private readonly request: UpstreamRequest,
    private readonly host: ExchangeHost,
  ) {
    const method = req.method ?? 'GET';
    this.facts = { head: method === 'HEAD' };
    this.retrySafe = isRetrySafe(method, request.body !== 'none');
    res.once('close', () => this.onClientClose());
  }

  start(): void {
    this.pick();
  }

  // ---- 1. Pick a replica, or hold the request until one is ready --------------------------------

  /** Called again by the hold queue when replicas change. */
  pick(): void {
    const { replicas, picker, sticky } = this.ctx;
    const now = Date.now();
    if (sticky !== undefined && this.pinnedTo === undefined) this.pinnedTo = sticky.replicaKey(this.req.rawHeaders) ?? '';
    const candidates = replicas.candidates();
    // A client pinned by its cookie goes to that replica while it is ready; else it is balanced as usual.
    let backend = StickyCookies.pinned(candidates, this.pinnedTo || undefined, this.tried) ?? picker.pick(candidates, this.tried);
    // Nothing ready: a request that may safely be sent again can go to a replica that is stopping
    // but still far from being killed (ARCHITECTURE.md, "Draining").
    if (backend === undefined && this.retrySafe) backend = picker.pick(replicas.lastResort(now), this.tried);
    if (backend === undefined) {
      this.noReplica();
      return;
    }
    this.send(backend);
  }

  private noReplica(): void {
    const holding = this.ctx.holding;
    if (holding.enabled) {
      // Failed tries are history once replicas change: every replica may be tried again.
      this.tried = undefined;
      this.watchClientWhileWaiting();
      this.heldSince ??= performance.now();
      this.holdDeadline ??= this.heldSince + holding.timeoutMs;
      holding.hold(this, this.holdDeadline);
    } else if (this.attempts === 0) {
      this.respond(503, `no replica of service "${this.ctx.service}" is available\n`);
    } else {
      this.respond(502, `no replica of service "${this.ctx.service}" could answer\n`);
    }
  }

  /** The hold queue gave up on this request. */
  holdExpired(): void {
    this.endHold();
    this.respond(503, `no replica of service "${this.ctx.service}" became available in time\n`, true);
  }

  private endHold(): void {
    if (this.heldSince === undefined) return;
    this.ctx.metrics.held((performance.now() - this.heldSince) / 1000);
    this.heldSince = undefined;
  }

  /**
   * While the request waits (held, or queued for a connection), a client that closes its side has
   * given up: it is let go, as HAProxy's abortonclose does for queued requests. Once the request is
   * on its way to a replica, a FIN may be a half-close, and the answer is still sent (as HAProxy does).
   */
  private watchClientWhileWaiting(): void {
    if (this.clientWatch !== undefined) return;
    this.clientWatch = () => {
      if (!this.connected && (this.heldSince !== undefined || this.connection === undefined)) this.res.destroy();
    };
    if (this.req.socket.readableEnded) queueMicrotask(this.clientWatch);
    else this.req.socket.once('end', this.clientWatch);
  }

  private stopWatchingClient(): void {
    if (this.clientWatch === undefined) return;
    this.req.socket.off('end', this.clientWatch);
    this.clientWatch = undefined;
  }

  // ---- 2. A connection to the chosen replica --------------------------------------------------

  private send(backend: Backend<ReplicaPool>): void {
    this.endHold();
    this.backend = backend;
    this.connection = undefined;
    this.connected = false;
    this.wholeBytes = undefined;
    this.trying = true;
    this.attempts++;
    backend.begin();
    const now = performance.now();
    this.sentAt = now;
    const { connect, response } = this.ctx.deadlines;
    connect.add(this, now);
    // A request that could not be sent again goes on a new connection: a kept-alive one may be closing
    // under it at that very instant (a replica shutting down closes its idle connections first), and
    // a new connection to a replica that stopped listening is refused, which is always safe to retry.
    // A retry goes on a new connection too: a kept-alive one that failed may have company.
    const got = backend.resources.acquire(this, this.facts, !this.retrySafe || this.attempts > 1);
    if (got === 'gone') {
      this.onConnectionError(new ReplicaGoneError());
      return;
    }
    if (got === 'queued') {
      // Waiting for one of the replica's connections: bounded like a response.
      response.add(this, now);
      this.watchClientWhileWaiting();
    } else {
      // Connecting; or, for a kept-alive connection, the request is already written.
      this.connection = got;
    }
  }

  onQueuedConnection(connection: ReplicaConnection): void {
    // Out of the queue: the connect deadline now applies (onConnection moves on from it).
    this.connection = connection;
    this.ctx.deadlines.connect.add(this, performance.now());
  }

  onConnection(connection: ReplicaConnection): void {
    if (!this.trying) {
      connection.abandon();
      return;
    }
    this.connection = connection;
    this.connected = true;
    this.stopWatchingClient();
    const head = serializeRequestHead(this.req.method ?? 'GET', this.request.path, this.request.headers);
    // Only Node's server reads a request with a body (a simple-path request has none): `body` is its stream.
    const body = this.request.body === 'none' ? undefined : this.body;
    if (body !== undefined && !this.req.complete) {
      connection.write(head);
      this.streamBody(connection, body);
      return;
    }
    // The whole request is here (no body, or all of it arrived already): one write, kept for a retry.
    this.wholeBody ??= body === undefined ? undefined : takeBufferedBody(body);
    this.wholeBytes = connection.sendWhole(head, this.wholeBody, this.request.body === 'chunked');
    this.ctx.deadlines.response.add(this, performance.now());
  }

  // ---- 3. The request body, streamed as it arrives ---------------------------------------------

  private streamBody(connection: ReplicaConnection, body: Readable): void {
    const chunked = this.request.body === 'chunked';
    const { upload, response } = this.ctx.deadlines;
    this.bodySent = true;
    upload.add(this, performance.now());
    const onData = (data: Buffer): void => {
      if (chunked ? connection.writeChunk(data) : connection.write(data)) {
        upload.add(this, performance.now());
      } else {
        // Waiting on the replica to read: the replica is the slow one now, bounded like a response.
        body.pause();
        response.add(this, performance.now());
      }
    };
    const onEnd = (): void => {
      this.bodyDone = true;
      this.stopBody = undefined;
      body.off('data', onData);
      connection.endRequest(chunked);
      if (!this.responded) response.add(this, performance.now());
      else upload.remove(this);
    };
    this.stopBody = () => {
      body.off('data', onData);
      body.off('end', onEnd);
      this.stopBody = undefined;
      body.resume();
    };
    body.on('data', onData);
    body.once('end', onEnd);
    body.resume();
  }

  onWritable(): void {
    if (this.bodyDone || !this.trying) return;
    this.ctx.deadlines.upload.add(this, performance.now());
    this.body?.resume();
  }

  // ---- 4. The response, relayed as it arrives --------------------------------------------------

  onHead(head: ResponseHead): void {
    const backend = this.backend as Backend<ReplicaPool>;
    this.ctx.deadlines.response.remove(this);
    this.ctx.replicas.recordAnswer(backend);
    backend.latency.observe(performance.now() - this.sentAt, Date.now());
    if (head.quirks !== 0) this.noteQuirks(backend, head.quirks);
    const sticky = this.ctx.sticky;
    if (sticky !== undefined && !StickyCookies.names(this.pinnedTo || undefined, backend.id)) {
      head.headers.push('Set-Cookie', sticky.setCookie(backend.id));
    }
    const res = this.res;
    // Answered before the whole request body arrived (a 413, a 401): the rest of it may never be read,
    // so this connection cannot carry another request.
    if (this.bodyUnread || this.host.closing) res.shouldKeepAlive = false;
    try {
      res.writeHead(head.status, head.reason, head.headers);
    } catch (err) {
      // Node refuses what the reader let through only if the two disagree on a header: not forwardable.
      this.connection?.abandon();
      this.failed(err as NodeJS.ErrnoException, 'other');
      return;
    }
    this.responded = true;
  }

  onBody(data: Buffer): void {
    if (!this.res.write(data)) {
      const connection = this.connection as ReplicaConnection;
      connection.pause();
      this.res.once('drain', () => connection.resume());
    }
  }

  onComplete(): void {
    this.ctx.deadlines.upload.remove(this);
    if (!this.bodyDone) this.stopBody?.();
    this.countTry(this.res.statusCode >= 500);
    this.endTry();
    this.res.end();
  }

  // ---- 5. Failures: retry where that is safe, else answer ---------------------------------------

  onConnectionError(err: NodeJS.ErrnoException): void {
    if (!this.trying) return;
    const connected = this.connected;
    const backend = this.backend as Backend<ReplicaPool>;
    if (this.responded) {
      this.failedMidResponse(err);
      return;
    }
    const kind = classifyFailure(err, connected);
    if (kind === 'connect') this.ctx.replicas.recordConnectFailure(backend);
    const unread = isUnreadReset(err, this.connection?.unanswered === true, this.wholeBytes);
    // A kept-alive connection that broke says nothing about the replica: it may have closed the connection
    // as idle just as the request went out (RFC 9112 section 9.3.1), as nginx and lighttpd do without a
    // Keep-Alive hint. The retry (on a new connection) may go to the same replica, as nginx and HAProxy
    // retry a failed cached connection; with one replica it was a 502 or a hold.
    const idleClose = kind === 'reset' && this.connection?.reused === true;
    this.countTry(true);
    this.endTry();
    this.ctx.metrics.upstreamError(kind);
    const retry = shouldRetry({
      kind,
      retrySafe: this.retrySafe,
      unread,
      bodySent: this.bodySent,
      resetRetries: this.resetRetries,
      maxRetries: this.ctx.maxRetries,
    });
    const retrying = idleClose
      ? 'kept-alive connection closed by the replica; retrying on a new one'
      : 'replica failed; retrying on another';
    this.ctx.log.warn(
      { ...errorFields(err), replica: backend.replica.name, kind, attempt: this.attempts, retry },
      retry ? retrying : 'replica failed',
    );
    if (!retry) {
      this.answerFailure(kind);
      return;
    }
    if (kind === 'reset') this.resetRetries++;
    if (!idleClose) (this.tried ??= new Set()).add(backend);
    this.pick();
  }

  /** A deadline of the current phase passed. */
  onDeadline(list: DeadlineList<Timed>): void {
    const { connect, response, upload } = this.ctx.deadlines;
    const connection = this.connection;
    if (this.heldSince !== undefined && !this.trying) {
      this.holdExpired();
    } else if (list === upload) {
      this.uploadStalled();
    } else if (connection !== undefined) {
      const phase = list === connect ? 'connect' : 'response';
      connection.destroy(new UpstreamTimeoutError(phase, list.durationMs));
    } else if ((this.backend as Backend<ReplicaPool>).resources.withdraw(this)) {
      // Queued for a connection that the replica, too busy, never gave.
      this.onConnectionError(new UpstreamTimeoutError('response', response.durationMs));
    }
  }

  /**
   * No request-body byte from the client for the upload timeout: the client is the slow one. It gets
   * 408, and the replica's connection, held open for nothing (a worker of a small pool, maybe), is closed.
   */
  private uploadStalled(): void {
    this.stopBody?.();
    this.connection?.abandon();
    this.endTry();
    this.respond(408, 'request body timed out\n');
  }

  private failedMidResponse(err: NodeJS.ErrnoException): void {
    const fields = { ...errorFields(err), replica: (this.backend as Backend<ReplicaPool>).replica.name };
    this.ctx.log.warn(fields, 'replica failed mid-response');
    this.ctx.metrics.upstreamError(classifyFailure(err, true));
    this.replicaFailed = true;
    this.countTry(true);
    this.endTry();
    this.res.destroy();
  }

  /** The current try's outcome in its replica's last minute (the status page). */
  private countTry(failed: boolean): void {
    (this.backend as Backend<ReplicaPool>).stats.record(Date.now(), performance.now() - this.sentAt, failed);
  }

  private failed(err: NodeJS.ErrnoException, kind: FailureKind): void {
    this.endTry();
    this.ctx.metrics.upstreamError(kind);
    this.ctx.log.warn({ ...errorFields(err), replica: this.backend?.replica.name, kind }, 'replica failed');
    this.answerFailure(kind);
  }

  private answerFailure(kind: FailureKind): void {
    const status = statusFor(kind);
    this.respond(status, status === 504 ? 'replica timed out\n' : 'bad gateway: the replica failed\n');
  }

  /** An answer of the balancer's own. */
  private respond(status: number, body: string, retryLater = false): void {
    const res = this.res;
    if (res.headersSent) {
      res.destroy();
      return;
    }
    // The request body was never read: close rather than leave it to be parsed as the next request.
    if (this.bodyUnread || this.host.closing) res.shouldKeepAlive = false;
    const headers = plainTextHeaders(body);
    if (retryLater) headers['retry-after'] = '1';
    res.writeHead(status, headers);
    res.end(body);
  }

  private noteQuirks(backend: Backend<ReplicaPool>, quirks: number): void {
    const fresh = backend.noteQuirks(quirks);
    if (fresh !== 0) {
      this.ctx.log.warn(
        { replica: backend.replica.name, quirks: describeQuirks(fresh) },
        'replica sends malformed responses; accepted as HAProxy and nginx accept them',
      );
    }
  }

  /**
   * Some of the request body has not arrived yet. (Node's `complete` alone would say so of a GET too,
   * while its handler runs: the end of a message is parsed after the handler returns.)
   */
  private get bodyUnread(): boolean {
    return this.request.body !== 'none' && !this.req.complete;
  }

  // ---- 6. The end, whichever way ------------------------------------------------------------

  /** The current try no longer counts as in flight on its replica. */
  private endTry(): void {
    if (!this.trying) return;
    this.trying = false;
    this.timedIn?.remove(this);
    (this.backend as Backend<ReplicaPool>).end();
  }

  private onClientClose(): void {
    this.host.requestDone();
    this.stopWatchingClient();
    if (!this.res.writableFinished && !this.replicaFailed) {
      // The client left: release the replica's connection now, not when the replica is done.
      this.clientGone = true;
      this.stopBody?.();
      if (this.heldSince !== undefined) this.ctx.holding.release(this);
      this.endHold();
      if (this.trying) {
        const backend = this.backend as Backend<ReplicaPool>;
        if (this.connection !== undefined) this.connection.abandon();
        else backend.resources.withdraw(this);
      }
    }
    this.timedIn?.remove(this);
    this.endTry();
    recordRequest(this.ctx, {
      req: this.req,
      status: this.clientGone ? 499 : this.res.statusCode,
      startedAt: this.startedAt,
      client: this.req.socket.remoteAddress,
      replica: this.backend?.replica.name,
    });
  }
}

/** The body Node has buffered for a request that arrived whole, read out at once. */
function takeBufferedBody(body: Readable): Buffer {
  const chunks: Buffer[] = [];
  for (let chunk = body.read() as Buffer | null; chunk !== null; chunk = body.read() as Buffer | null) {
    chunks.push(chunk);
  }
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
}
