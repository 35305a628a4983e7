import type { ClientRequest, IncomingMessage, ServerResponse } from 'node:http';
import { PassThrough } from 'node:stream';
import type { Logger } from 'pino';
import type { Backend } from '../balancer/backend';
import type { Picker } from '../balancer/picker';
import type { ReplicaSet } from '../balancer/replica-set';
import { UpstreamProtocolError, UpstreamTimeoutError } from '../errors';
import { forwardResponseHeaders, isValidStatus, plainTextHeaders, safeReason } from './headers';
import type { Metrics } from './metrics';
import type { CallOptions, ProxyEngine } from './proxy-engine';
import { recordRequest } from './request-record';
import type { Upstream } from './upstream';
import { classifyFailure, shouldRetry, statusFor, type FailureKind } from './upstream-failure';

/** Upstream failures are routine operations news: code and message, no stack. */
function errorFields(err: NodeJS.ErrnoException): { error: string; code: string | undefined } {
  return { error: err.message, code: err.code };
}

/** What every exchange shares: the replica set, the picker and the proxy. */
export interface ExchangeContext {
  readonly service: string;
  readonly engine: ProxyEngine;
  readonly replicas: ReplicaSet<Upstream>;
  readonly picker: Picker;
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly accessLog: boolean;
  readonly connectTimeoutMs: number;
  readonly responseTimeoutMs: number;
  readonly maxRetries: number;
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

/** One try of the request on one replica. */
export class Attempt {
  proxyReq: ClientRequest | undefined;
  proxyRes: IncomingMessage | undefined;
  connected = false;
  responded = false;
  finished = false;
  timer: NodeJS.Timeout | undefined;

  constructor(
    readonly exchange: Exchange,
    readonly backend: Backend<Upstream>,
    /** The request body goes through this only once connected, so a failed connect leaves it unread. */
    readonly gate: PassThrough | undefined,
  ) {}
}

/**
 * One client request from arrival to the end of its response: picks a replica,
 * forwards through http-proxy, retries where that is safe, and answers with a
 * status of its own when no replica can.
 */
export class Exchange {
  private attempt: Attempt | undefined;
  private attempts = 0;
  private resetRetries = 0;
  private tried: Set<Backend<Upstream>> | undefined;
  private bodyRead = false;
  private clientGone = false;
  /** The replica broke off its response after the head went out: the balancer cut the client off. */
  private replicaFailed = false;
  private readonly startedAt = performance.now();
  private readonly hasBody: boolean;
  private readonly needsGate: boolean;
  /** Listeners on the client request before http-proxy adds its own, which it does on every try. */
  private readonly ownListeners: { readonly error: number; readonly aborted: number };

  constructor(
    private readonly ctx: ExchangeContext,
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly host: ExchangeHost,
  ) {
    this.hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length']) > 0;
    // http-proxy collapses "//" in paths; through the gate, the path can be restored before anything is sent.
    this.needsGate = this.hasBody || req.url?.includes('//') === true;
    this.ownListeners = { error: req.listenerCount('error'), aborted: req.listenerCount('aborted') };
    res.once('close', () => this.onClose());
  }

  start(): void {
    this.tryNext();
  }

  private tryNext(): void {
    const backend = this.ctx.picker.pick(this.ctx.replicas.candidates(), this.tried);
    if (backend === undefined) {
      if (this.attempts === 0) this.respond(503, `no replica of service "${this.ctx.service}" is available\n`);
      else this.respond(502, `no replica of service "${this.ctx.service}" could answer\n`);
      return;
    }
    const upstream = backend.resources;
    const attempt = new Attempt(this, backend, this.needsGate ? new PassThrough() : undefined);
    this.attempt = attempt;
    this.attempts++;
    backend.inflight++;
    const options: CallOptions = {
      target: upstream.target,
      agent: upstream.agent,
      lbAttempt: attempt,
      ...(attempt.gate ? { buffer: attempt.gate } : {}),
    };
    const send = (): void =>
      this.ctx.engine.web(this.req, this.res, options, (err) => this.onError(attempt, err as NodeJS.ErrnoException));
    // Known from now on if it waits for a connection, so that a client that leaves can withdraw it.
    const queued = upstream.queued(send);
    if (queued !== undefined) attempt.proxyReq = queued;
  }

  /** http-proxy made the upstream request and it has a socket. */
  onProxyRequest(attempt: Attempt, proxyReq: ClientRequest): void {
    attempt.proxyReq = proxyReq;
    if (this.clientGone || attempt.finished) {
      proxyReq.destroy();
      return;
    }
    if (attempt.gate && proxyReq.path !== this.req.url && this.req.url !== undefined) proxyReq.path = this.req.url;
    proxyReq.once('response', (proxyRes: IncomingMessage) => this.onResponse(attempt, proxyRes));
    // Node ends a request whose answer it cannot hand over (a 101 to a request that asked for no
    // upgrade, RFC 9110 section 7.8) with neither 'response' nor 'error'; the client would wait for ever.
    proxyReq.once('close', () => {
      if (!attempt.responded && !attempt.finished) {
        this.onError(attempt, new UpstreamProtocolError('replica closed the connection without a response to forward'));
      }
    });
    const socket = proxyReq.socket;
    if (socket?.connecting) {
      attempt.timer = setTimeout(
        () => proxyReq.destroy(new UpstreamTimeoutError('connect', this.ctx.connectTimeoutMs)),
        this.ctx.connectTimeoutMs,
      );
      socket.once('connect', () => this.onConnected(attempt, proxyReq));
    } else {
      this.onConnected(attempt, proxyReq);
    }
  }

  private onConnected(attempt: Attempt, proxyReq: ClientRequest): void {
    clearTimeout(attempt.timer);
    if (attempt.finished) return;
    attempt.connected = true;
    if (attempt.gate) {
      // A gate with no body behind it (a "//" path) replays: the request has ended, so piping it again ends the next gate.
      if (this.hasBody) this.bodyRead = true;
      this.req.pipe(attempt.gate);
    }
    this.armResponseTimer(attempt, proxyReq);
  }

  /**
   * Counted from the connection. When it runs out while the client is still uploading and the replica
   * keeps up, the wait is the client's (clientRequestTimeout bounds it), so it starts over: a slow
   * upload is not a replica that failed to answer. A replica that stops reading is still cut off.
   */
  private armResponseTimer(attempt: Attempt, proxyReq: ClientRequest): void {
    attempt.timer = setTimeout(() => {
      if (!this.req.complete && !proxyReq.writableNeedDrain) this.armResponseTimer(attempt, proxyReq);
      else proxyReq.destroy(new UpstreamTimeoutError('response', this.ctx.responseTimeoutMs));
    }, this.ctx.responseTimeoutMs);
  }

  private onResponse(attempt: Attempt, proxyRes: IncomingMessage): void {
    clearTimeout(attempt.timer);
    const status = proxyRes.statusCode ?? 0;
    if (!isValidStatus(status)) {
      // Treated as a server error (RFC 9110 section 15); passed to writeHead, a status below 100 would
      // throw out of this listener and stop the balancer.
      this.onError(attempt, new UpstreamProtocolError(`replica answered with invalid status ${status}`));
      proxyRes.destroy();
      return;
    }
    attempt.responded = true;
    attempt.proxyRes = proxyRes;
    if (attempt.finished || this.clientGone) {
      proxyRes.destroy();
      return;
    }
    this.ctx.replicas.recordSuccess(attempt.backend);
    attempt.backend.served++;
    const res = this.res;
    // Answered before the whole request body arrived (a 413, a 401): the rest of it may never be read,
    // so this connection cannot carry another request.
    if (!this.req.complete || this.host.closing) res.shouldKeepAlive = false;
    res.writeHead(status, safeReason(proxyRes.statusMessage), forwardResponseHeaders(proxyRes.rawHeaders));
    relayBody(proxyRes, res);
  }

  private onError(attempt: Attempt, err: NodeJS.ErrnoException): void {
    clearTimeout(attempt.timer);
    if (this.clientGone || attempt.finished) return;
    const { backend } = attempt;
    if (attempt.responded) {
      this.onErrorAfterHead(attempt, err);
      return;
    }
    const kind = classifyFailure(err, attempt.connected);
    if (kind === 'connect') this.ctx.replicas.recordConnectFailure(backend);
    this.finish(attempt);
    this.ctx.metrics.upstreamError(kind);
    const retry = shouldRetry({
      kind,
      method: this.req.method ?? 'GET',
      replayable: !this.bodyRead,
      resetRetries: this.resetRetries,
      maxRetries: this.ctx.maxRetries,
    });
    this.ctx.log.warn(
      { ...errorFields(err), replica: backend.replica.name, kind, attempt: this.attempts, retry },
      retry ? 'replica failed; retrying on another' : 'replica failed',
    );
    if (retry) {
      if (kind === 'reset') this.resetRetries++;
      (this.tried ??= new Set()).add(backend);
      this.dropListenersOfFailedTries();
      this.tryNext();
    } else {
      this.respondFailure(kind);
    }
  }

  /** The response head went out already: the client gets the rest of the response, or a cut connection. */
  private onErrorAfterHead(attempt: Attempt, err: NodeJS.ErrnoException): void {
    const fields = { ...errorFields(err), replica: attempt.backend.replica.name };
    if (attempt.proxyRes?.complete === true) {
      // The response is whole (bytes came after a 204, 304 or HEAD answer, or the replica closed while
      // the rest of the request body went out): Node drops that connection, and the response goes on.
      this.ctx.log.warn(fields, 'replica connection failed after a complete response');
      return;
    }
    this.ctx.log.warn(fields, 'replica failed mid-response');
    this.ctx.metrics.upstreamError(classifyFailure(err, true));
    this.replicaFailed = true;
    this.finish(attempt);
    this.res.destroy();
  }

  /** http-proxy adds an 'error' and an 'aborted' listener to the client request on every try; drop the failed tries'. */
  private dropListenersOfFailedTries(): void {
    for (const event of ['error', 'aborted'] as const) {
      for (const listener of this.req.listeners(event).slice(this.ownListeners[event])) {
        this.req.removeListener(event, listener as (...args: unknown[]) => void);
      }
    }
  }

  private respondFailure(kind: FailureKind): void {
    const status = statusFor(kind);
    this.respond(status, status === 504 ? 'replica timed out\n' : 'bad gateway: the replica failed\n');
  }

  private respond(status: number, body: string): void {
    const res = this.res;
    if (res.headersSent) {
      res.destroy();
      return;
    }
    // The request body was never read: close rather than leave it to be parsed as the next request.
    if (!this.req.complete || this.host.closing) res.shouldKeepAlive = false;
    res.writeHead(status, plainTextHeaders(body));
    res.end(body);
  }

  private finish(attempt: Attempt): void {
    if (attempt.finished) return;
    attempt.finished = true;
    clearTimeout(attempt.timer);
    attempt.backend.inflight--;
  }

  private onClose(): void {
    this.host.requestDone();
    const attempt = this.attempt;
    if (!this.res.writableFinished && !this.replicaFailed) {
      // The client left: release the replica's connection now, not when the replica is done.
      this.clientGone = true;
      attempt?.proxyReq?.destroy();
    }
    if (attempt) this.finish(attempt);
    recordRequest(this.ctx, {
      req: this.req,
      status: this.clientGone ? 499 : this.res.statusCode,
      startedAt: this.startedAt,
      client: this.req.socket.remoteAddress,
      replica: attempt?.backend.replica.name,
    });
  }
}

/**
 * proxyRes.pipe(res) with three listeners instead of pipe's eight: this runs
 * for every response, and listener bookkeeping showed in the CPU profile.
 * A replica that dies mid-body must not leave the client waiting for the rest.
 */
function relayBody(from: IncomingMessage, to: ServerResponse): void {
  from.on('data', (chunk: Buffer) => {
    if (!to.write(chunk)) {
      from.pause();
      to.once('drain', () => from.resume());
    }
  });
  from.once('end', () => to.end());
  from.once('error', () => to.destroy());
}
