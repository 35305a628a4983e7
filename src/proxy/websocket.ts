import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ClientRequest } from 'node:http';
import { UpstreamTimeoutError } from '../errors';
import type { ExchangeContext } from './exchange';
import type { CallOptions } from './proxy-engine';

/** A bare HTTP/1.1 response on a socket that has not been handed to a WebSocket yet. */
function rawResponse(status: number, reason: string): string {
  return `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`;
}

/** Marks an upgrade request's socket in http-proxy's events, so its connect timer can be set. */
interface WsCall {
  readonly socket: Duplex;
  timer?: NodeJS.Timeout;
}

/**
 * Proxies a WebSocket handshake to one replica and then the socket itself.
 * Not retried: http-proxy ends the client socket when the upstream handshake
 * fails, so the client gets a 502 and reconnects, as WebSocket clients do.
 */
export function proxyWebSocket(ctx: ExchangeContext, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  // Until http-proxy takes over, a client socket error must not become an uncaught exception.
  socket.on('error', (err) => ctx.log.debug({ err }, 'websocket client socket error'));
  if (req.method !== 'GET' || req.headers.upgrade?.toLowerCase() !== 'websocket') {
    socket.end(rawResponse(400, 'Bad Request'));
    return;
  }
  const backend = ctx.picker.pick(ctx.replicas.candidates());
  if (backend === undefined) {
    socket.end(rawResponse(503, 'Service Unavailable'));
    return;
  }
  const upstream = backend.resources;
  upstream.trackWebSocket(socket);
  backend.served++;
  const call: WsCall = { socket };
  const options: CallOptions = { target: upstream.target, lbAttempt: call };
  ctx.engine.ws(req, socket, head, options, (err) => {
    clearTimeout(call.timer);
    ctx.log.warn({ err, replica: backend.replica.name }, 'websocket handshake with replica failed');
    // http-proxy ends the socket right after this callback; the status goes out first.
    if (socket.writable) socket.write(rawResponse(502, 'Bad Gateway'));
  });
}

/** http-proxy made the upstream handshake request: bound how long its connect may take. */
export function onWebSocketProxyRequest(ctx: ExchangeContext, proxyReq: ClientRequest, options: CallOptions): void {
  const call = options.lbAttempt as WsCall | undefined;
  if (call === undefined) return;
  proxyReq.once('socket', (upstreamSocket) => {
    if (!upstreamSocket.connecting) return;
    call.timer = setTimeout(
      () => proxyReq.destroy(new UpstreamTimeoutError('connect', ctx.connectTimeoutMs)),
      ctx.connectTimeoutMs,
    );
    upstreamSocket.once('connect', () => clearTimeout(call.timer));
  });
  proxyReq.once('upgrade', (_res, upstreamSocket: Duplex) => {
    clearTimeout(call.timer);
    // If either side closes, the other goes too (http-proxy only ends one on a clean end).
    call.socket.once('close', () => upstreamSocket.destroy());
    upstreamSocket.once('close', () => call.socket.destroy());
  });
}
