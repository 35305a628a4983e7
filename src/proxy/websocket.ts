import { STATUS_CODES, type ClientRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import httpProxy from 'http-proxy';
import type { Backend } from '../balancer/backend';
import { UpstreamTimeoutError } from '../errors';
import type { ExchangeContext } from './exchange';
import { closeDelimitedHeaders } from './headers';
import type { UpstreamRequest } from './request-head';
import { StickyCookies } from './sticky-cookie';
import type { ReplicaPool } from './upstream/replica-pool';
import { classifyFailure, statusFor } from './upstream-failure';

/**
 * WebSocket upgrades go through http-proxy: its cost is per connection, not
 * per request, and it pipes the two sockets once the replica agrees. Plain
 * HTTP requests take the balancer's own path (src/proxy/exchange.ts).
 */
export interface WebSocketProxy {
  readonly engine: httpProxy;
  readonly responseTimeoutMs: number;
  readonly connectTimeoutMs: number;
}

/** One upgrade in flight: what http-proxy's events need to find. */
interface WsCall {
  readonly ctx: ExchangeContext;
  readonly socket: Duplex;
  readonly backend: Backend<ReplicaPool>;
  timer?: NodeJS.Timeout;
  /** The replica answered (101, or a refusal that went on to the client): no status line may follow. */
  answered?: boolean;
}

/** Per-call options: http-proxy copies string keys of these into the options its events carry. */
interface CallOptions extends httpProxy.ServerOptions {
  readonly lbCall?: WsCall;
}

export function createWebSocketProxy(connectTimeoutMs: number, responseTimeoutMs: number): WebSocketProxy {
  const engine = httpProxy.createProxyServer({ xfwd: false, toProxy: true, prependPath: false, changeOrigin: false });
  // Every call passes its own error callback; this listener only keeps an
  // unexpected emit from throwing (http-proxy throws when 'error' has no listener).
  engine.on('error', () => {});
  const proxy = { engine, connectTimeoutMs, responseTimeoutMs };
  engine.on('proxyReqWs', (proxyReq: ClientRequest, _req: IncomingMessage, _socket: Duplex, options: CallOptions) => {
    if (options.lbCall !== undefined) onHandshakeRequest(proxy, proxyReq, options.lbCall);
  });
  return proxy;
}

/** A bare HTTP/1.1 response on a socket that has not been handed to a WebSocket yet. */
function rawResponse(status: number, reason: string): string {
  return `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`;
}

/**
 * Closes the socket once it has been ended and its last bytes are out. Ending
 * alone leaves the connection open for as long as the client keeps its half
 * open (the server's sockets allow half-open connections): Node's own server
 * does the same with destroySoon.
 */
function closeWhenEnded(socket: Duplex): void {
  socket.once('finish', () => socket.destroy());
}

/** Answers an upgrade request with a bare status and closes the connection. */
export function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  closeWhenEnded(socket);
  socket.end(rawResponse(status, reason));
}

/**
 * A WebSocket handshake is a GET (RFC 6455 section 4.1), and one with a body
 * is refused: the replica would be told of a body that the balancer sends on
 * only after the upgrade, as WebSocket bytes, so the two would frame the
 * stream differently (RFC 9110 section 9.3.1 names GET bodies a smuggling risk).
 */
function isHandshake(req: IncomingMessage, request: UpstreamRequest): boolean {
  return req.method === 'GET' && req.headers.upgrade?.toLowerCase() === 'websocket' && request.body === 'none';
}

/** http-proxy writes request headers from an object: the forwarded list, repeats joined. */
function headerObject(flat: readonly string[]): IncomingHttpHeaders {
  const out: Record<string, string> = {};
  for (let i = 0; i < flat.length; i += 2) {
    const name = (flat[i] as string).toLowerCase();
    const value = flat[i + 1] as string;
    out[name] = out[name] === undefined ? value : `${out[name]}, ${value}`;
  }
  return out;
}

/**
 * Proxies a WebSocket handshake to one replica and then the socket itself.
 * Not retried: http-proxy ends the client socket when the upstream handshake
 * fails, so the client gets a 502 and reconnects, as WebSocket clients do.
 */
export function proxyWebSocket(
  ctx: ExchangeContext,
  proxy: WebSocketProxy,
  req: IncomingMessage,
  request: UpstreamRequest,
  socket: Duplex,
  head: Buffer,
): void {
  // Until http-proxy takes over, a client socket error must not become an uncaught exception.
  socket.on('error', (err) => ctx.log.debug({ err }, 'websocket client socket error'));
  if (!isHandshake(req, request)) return refuseUpgrade(socket, 400, 'Bad Request');
  const candidates = ctx.replicas.candidates();
  const pinned = StickyCookies.pinned(candidates, ctx.sticky?.replicaKey(req.rawHeaders), undefined);
  const backend = pinned ?? ctx.picker.pick(candidates);
  if (backend === undefined) return refuseUpgrade(socket, 503, 'Service Unavailable');
  // Whoever ends the client socket from here on (http-proxy after a failed handshake, the replica closing
  // an open WebSocket), it is closed once its last bytes are out.
  closeWhenEnded(socket);
  const pool = backend.resources;
  pool.trackWebSocket(socket);
  req.url = request.path;
  req.headers = headerObject(request.headers);
  const call: WsCall = { ctx, socket, backend };
  const options: CallOptions = { target: pool.target, lbCall: call };
  proxy.engine.ws(req, socket, head, options, (err) => {
    clearTimeout(call.timer);
    const fields = { err, replica: backend.replica.name };
    if (call.answered) {
      // The 101 or the replica's own refusal went out: a status line now would land inside the stream.
      ctx.log.warn(fields, 'websocket to replica failed');
      return;
    }
    ctx.log.warn(fields, 'websocket handshake with replica failed');
    // http-proxy ends the socket right after this callback; the status goes out first.
    const status = statusFor(classifyFailure(err as NodeJS.ErrnoException, true));
    if (socket.writable) socket.write(rawResponse(status, STATUS_CODES[status] ?? 'Bad Gateway'));
  });
}

/** http-proxy made the upstream handshake request: bound its connect and its answer, and tidy what it forwards. */
function onHandshakeRequest(proxy: WebSocketProxy, proxyReq: ClientRequest, call: WsCall): void {
  proxyReq.once('socket', (upstreamSocket: Socket) => timeHandshake(proxy, call, proxyReq, upstreamSocket));
  // The client socket closed mid-handshake (its replica removed, shutdown): the replica's connection goes too.
  // A client's own FIN is not seen before the upgrade, as nothing reads its socket; the response timeout bounds that.
  call.socket.once('close', () => proxyReq.destroy());
  proxyReq.once('response', (res: IncomingMessage) => {
    call.answered = true;
    clearTimeout(call.timer);
    // Registered before http-proxy's own listener, which writes these headers as they are and then the
    // body as Node decoded it: a chunked refusal would reach the client unchunked under
    // "Transfer-Encoding: chunked". Without framing headers, the close ends the body (RFC 9112 section 6.3).
    res.headers = closeDelimitedHeaders(res.rawHeaders);
  });
  proxyReq.once('upgrade', (_res, upstreamSocket: Duplex) => {
    call.answered = true;
    clearTimeout(call.timer);
    call.ctx.replicas.recordAnswer(call.backend);
    // If either side closes, the other goes too (http-proxy only ends one on a clean end).
    call.socket.once('close', () => upstreamSocket.destroy());
    upstreamSocket.once('close', () => call.socket.destroy());
  });
}

/** The connect timeout, then the response timeout for the handshake's answer (a replica may accept and say nothing). */
function timeHandshake(proxy: WebSocketProxy, call: WsCall, proxyReq: ClientRequest, upstreamSocket: Socket): void {
  const fail = (phase: 'connect' | 'response', ms: number): NodeJS.Timeout =>
    setTimeout(() => proxyReq.destroy(new UpstreamTimeoutError(phase, ms)), ms);
  const awaitAnswer = (): void => {
    clearTimeout(call.timer);
    if (!call.answered) call.timer = fail('response', proxy.responseTimeoutMs);
  };
  if (!upstreamSocket.connecting) return awaitAnswer();
  call.timer = fail('connect', proxy.connectTimeoutMs);
  upstreamSocket.once('connect', awaitAnswer);
}
