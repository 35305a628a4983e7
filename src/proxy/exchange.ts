import type { ClientRequest, IncomingMessage, ServerResponse } from 'node:http';
import { PassThrough } from 'node:stream';
import type { Logger } from 'pino';
import type { Backend } from '../balancer/backend';
import type { Picker } from '../balancer/picker';
import type { ReplicaSet } from '../balancer/replica-set';
import { UpstreamTimeoutError } from '../errors';
import { forwardResponseHeaders, plainTextHeaders } from './headers';
import type { Metrics } from './metrics';
import type { CallOptions, ProxyEngine } from './proxy-engine';
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

/** One try of the request on one replica. */
export class Attempt {
  proxyReq: ClientRequest | undefined;
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
  private readonly startedAt = performance.now();
  private readonly needsGate: boolean;

  constructor(
    private readonly ctx: ExchangeContext,
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    /** Called once the response is over, whichever way it ended. */
    private readonly onDone: () => void,
  ) {
    const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length']) > 0;
    // http-proxy collapses "//" in paths; through the gate, the path can be restored before anything is sent.
    this.needsGate = hasBody || req.url?.includes('//') === true;
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
    this.ctx.engine.web(this.req, this.res, options, (err) => this.onError(attempt, err as NodeJS.ErrnoException));
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
      this.bodyRead = true;
      this.req.pipe(attempt.gate);
    }
    // Counted from the connection, so it bounds sending the request and waiting for the answer.
    attempt.timer = setTimeout(
      () => proxyReq.destroy(new UpstreamTimeoutError('response', this.ctx.responseTimeoutMs)),
      this.ctx.responseTimeoutMs,
    );
  }

  private onResponse(attempt: Attempt, proxyRes: IncomingMessage): void {
    clearTimeout(attempt.timer);
    attempt.responded = true;
    if (attempt.finished || this.clientGone) {
      proxyRes.destroy();
      return;
    }
    this.ctx.replicas.recordSuccess(attempt.backend);
    attempt.backend.served++;
    const res = this.res;
    res.writeHead(proxyRes.statusCode ?? 502, proxyRes.statusMessage, forwardResponseHeaders(proxyRes.rawHeaders));
    relayBody(proxyRes, res);
  }

  private onError(attempt: Attempt, err: NodeJS.ErrnoException): void {
    clearTimeout(attempt.timer);
    if (this.clientGone || attempt.finished) return;
    const { backend } = attempt;
    if (attempt.responded) {
      // The response head went out already: all that is left is to cut the client off.
      this.ctx.log.warn({ ...errorFields(err), replica: backend.replica.name }, 'replica failed mid-response');
      this.finish(attempt);
      this.res.destroy();
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
      this.tryNext();
    } else {
      this.respondFailure(kind);
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
    if (!this.req.complete) res.shouldKeepAlive = false;
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
    this.onDone();
    const attempt = this.attempt;
    if (!this.res.writableFinished) {
      // The client left: release the replica's connection now, not when the replica is done.
      this.clientGone = true;
      attempt?.proxyReq?.destroy();
    }
    if (attempt) this.finish(attempt);
    const status = this.clientGone ? 499 : this.res.statusCode;
    const seconds = (performance.now() - this.startedAt) / 1000;
    this.ctx.metrics.request(status, seconds);
    if (this.ctx.accessLog) {
      this.ctx.log.info(
        {
          method: this.req.method,
          url: this.req.url,
          status,
          ms: Math.round(seconds * 1000),
          replica: attempt?.backend.replica.name,
          client: this.req.socket.remoteAddress,
        },
        'request',
      );
    }
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
