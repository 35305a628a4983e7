import type { ClientRequest, IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import httpProxy from 'http-proxy';

/**
 * http-proxy, configured so that the balancer owns everything around the bare
 * forwarding: request headers (src/proxy/headers.ts), the response head,
 * retries and timeouts (src/proxy/exchange.ts).
 *
 * Two of its defaults are unsafe and are switched off here:
 * - its `deleteLength` pass rewrites a chunked DELETE or OPTIONS to
 *   `Content-Length: 0` and then streams the body anyway, so a request hidden
 *   in that body reaches the replica as a request of its own
 *   (GHSA-ggv3-7p47-pfv8). Without the pass the body stays chunked.
 * - its response passes copy hop-by-hop headers to the client; with
 *   `selfHandleResponse` the exchange writes the response head itself.
 */
export type ProxyEngine = httpProxy;

/** Per-call options: http-proxy copies string keys of these into the options its events carry. */
export interface CallOptions extends httpProxy.ServerOptions {
  readonly lbAttempt?: unknown;
}

interface WithPasses {
  webPasses: Array<{ name: string }>;
}

export function createProxyEngine(): ProxyEngine {
  const engine = httpProxy.createProxyServer({
    xfwd: false,
    selfHandleResponse: true,
    // Forward the request target as the client sent it: no url.parse round trip.
    toProxy: true,
    prependPath: false,
    changeOrigin: false,
  });
  const passes = engine as unknown as WithPasses;
  passes.webPasses = passes.webPasses.filter((pass) => pass.name !== 'deleteLength');
  // Every call passes its own error callback; this listener only keeps an
  // unexpected emit from throwing (http-proxy throws when 'error' has no listener).
  engine.on('error', () => {});
  return engine;
}

export type ProxyRequestListener = (
  proxyReq: ClientRequest,
  req: IncomingMessage,
  res: ServerResponse,
  options: CallOptions,
) => void;

export type ProxyWsRequestListener = (
  proxyReq: ClientRequest,
  req: IncomingMessage,
  socket: Duplex,
  options: CallOptions,
) => void;
