import { STATUS_CODES, type ClientRequest, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { UpstreamTimeoutError } from '../errors';
import type { ExchangeContext } from './exchange';
import { closeDelimitedHeaders } from './headers';
import type { CallOptions } from './proxy-engine';
import { classifyFailure, statusFor } from './upstream-failure';

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

/** Marks an upgrade request's socket in http-proxy's events, so its timers can be set. */
interface WsCall {
  readonly socket: Duplex;
  timer?: NodeJS.Timeout;
  /** The replica answered (101, or a refusal that went on to the client): no status line may follow. */
  answered?: boolean;
}

/**
 * A WebSocket handshake is a GET (RFC 6455 section 4.1), and one with a body
 * is refused: the replica would be told of a body that the balancer sends on
 * only after the upgrade, as WebSocket bytes, so the two would frame the
 * stream differently (RFC 9110 section 9.3.1 names GET bodies a smuggling risk).
 */
function isHandshake(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  const hasBody = req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
  return req.method === 'GET' && req.headers.upgrade?.toLowerCase() === 'websocket' && !hasBody;
}

/**
 * Proxies a WebSocket handshake to one replica and then the socket itself.
 * Not retried: http-proxy ends the client socket when the upstream handshake
 * fails, so the client gets a 502 and reconnects, as WebSocket clients do.
 */
export function proxyWebSocket(ctx: ExchangeContext, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  // Until http-proxy takes over, a client socket error must not become an uncaught exception.
  socket.on('error', (err) => ctx.log.debug({ err }, 'websocket client socket error'));
  if (!isHandshake(req)) return refuseUpgrade(socket, 400, 'Bad Request');
  const backend = ctx.picker.pick(ctx.replicas.candidates());
  if (backend === undefined) return refuseUpgrade(socket, 503, 'Service Unavailable');
  // Whoever ends the client socket from here on (http-proxy after a failed handshake, the replica closing
  // an open WebSocket), it is closed once its last bytes are out.
  closeWhenEnded(socket);
  const upstream = backend.resources;
  upstream.trackWebSocket(socket);
  backend.served++;
  const call: WsCall = { socket };
  const options: CallOptions = { target: upstream.target, lbAttempt: call };
  ctx.engine.ws(req, socket, head, options, (err) => {
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
export function onWebSocketProxyRequest(ctx: ExchangeContext, proxyReq: ClientRequest, options: CallOptions): void {
  const call = options.lbAttempt as WsCall | undefined;
  if (call === undefined) return;
  proxyReq.once('socket', (upstreamSocket: Socket) => timeHandshake(ctx, call, proxyReq, upstreamSocket));
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
    // If either side closes, the other goes too (http-proxy only ends one on a clean end).
    call.socket.once('close', () => upstreamSocket.destroy());
    upstreamSocket.once('close', () => call.socket.destroy());
  });
}

/** The connect timeout, then the response timeout for the handshake's answer (a replica may accept and say nothing). */
function timeHandshake(ctx: ExchangeContext, call: WsCall, proxyReq: ClientRequest, upstreamSocket: Socket): void {
  const fail = (phase: 'connect' | 'response', ms: number): NodeJS.Timeout =>
    setTimeout(() => proxyReq.destroy(new UpstreamTimeoutError(phase, ms)), ms);
  const awaitAnswer = (): void => {
    clearTimeout(call.timer);
    if (!call.answered) call.timer = fail('response', ctx.responseTimeoutMs);
  };
  if (!upstreamSocket.connecting) return awaitAnswer();
  call.timer = fail('connect', ctx.connectTimeoutMs);
  upstreamSocket.once('connect', awaitAnswer);
}
