import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex, Readable } from 'node:stream';
import { listenOn } from '../listen';
import { cidrMatcher, unmapIPv4, type Cidr } from './cidr';
import { ClientConnection, type ClientConnectionHost, type ClientTimeouts } from './client/client-connection';
import type { ClientRequest, ClientResponse } from './client/client-message';
import { Exchange, type ExchangeContext, type ExchangeHost } from './exchange';
import { plainTextHeaders } from './headers';
import { prepareRequest, type ForwardedFor, type RequestProblem, type UpstreamRequest } from './request-head';
import { recordRequest, type Recorder } from './request-record';
import { proxyWebSocket, refuseUpgrade, type WebSocketProxy } from './websocket';

const OVERLOADED: RequestProblem = { kind: 'refuse', status: 503, message: 'overloaded: too many requests in progress' };
/** Names nothing inside: which services exist is none of an unknown client's business. */
const NO_ROUTE: RequestProblem = { kind: 'refuse', status: 404, message: 'not found' };

/** Where a request goes: its service's context, and the path to forward (a stripped prefix gone). */
export type RouteLookup = (host: string | undefined, path: string) => { ctx: ExchangeContext; path: string } | undefined;

export interface ProxyServerOptions {
  readonly trustedProxies: readonly Cidr[];
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  /** Inactivity (no bytes either way) after which a client connection is closed. */
  readonly socketTimeoutMs: number;
  /** How long an idle keep-alive client connection is kept open. */
  readonly keepAliveTimeoutMs: number;
  readonly maxConnections: number;
  /** Requests in progress at once (held ones included); more are answered 503 at once, so memory stays bounded. */
  readonly maxRequests: number;
  /** How often `onTick` runs: deadlines, held requests, idle replica connections. */
  readonly tickMs: number;
  readonly onTick: (now: number) => void;
}

/** The request with the path its route forwards (a copy only when a prefix was stripped). */
function withPath(request: UpstreamRequest, path: string): UpstreamRequest {
  return path === request.path ? request : { ...request, path };
}

/**
 * The client-facing HTTP server: checks each request, writes the head its
 * replica gets and hands it to an Exchange (or, for an upgrade, to the
 * WebSocket proxy). Keeps time for every request with one interval, and owns
 * graceful shutdown.
 */
export class ProxyServer implements ExchangeHost, ClientConnectionHost {
  readonly server: Server;
  /** Open client connections: counted, not kept in a Set, for the same reason as `inflight`. */
  private connections = 0;
  /**
   * Requests in progress: a count. (A Set of the responses gave each one an identity hash, which
   * V8 stores by changing the object's shape; Node's http code on ServerResponse then ran ~30 %
   * slower per request. Measured with bench/ and /proc CPU time.)
   */
  private inflight = 0;
  private stopping: { resolve: () => void } | undefined;
  private readonly trusted: (address: string | undefined) => boolean;
  private port = 0;
  private readonly maxRequests: number;
  private readonly ticker: NodeJS.Timeout;
  /** Node's own listener for a new connection: it takes a connection off the simple path. */
  private readonly readByNode: (socket: Socket) => void;
  /** Connections on the simple path, which Node's server does not know of: closed at shutdown. */
  private readonly simpleConnections = new Set<ClientConnection>();

  constructor(
    private readonly route: RouteLookup,
    /** Counts and logs the requests the balancer answers itself (refused, unrouted). */
    private readonly refusals: Recorder,
    private readonly webSockets: WebSocketProxy,
    opts: ProxyServerOptions,
  ) {
    this.trusted = cidrMatcher(opts.trustedProxies);
    this.server = createServer(
      {
        keepAliveTimeout: opts.keepAliveTimeoutMs,
        headersTimeout: opts.headersTimeoutMs,
        requestTimeout: opts.requestTimeoutMs,
        // Node checks the two timeouts above on this interval (30 s by default, too coarse for slowloris).
        connectionsCheckingInterval: Math.max(50, Math.min(1_000, opts.headersTimeoutMs / 4)),
        noDelay: true,
        requireHostHeader: true,
      },
      (req, res) => this.onRequest(req, res, req),
    );
    this.server.maxConnections = opts.maxConnections;
    // A client may half-close (FIN) right after its request and still read the answer, as HAProxy allows;
    // by default Node aborts the request when the client's half closes. (A server property Node's own
    // http2 compatibility layer sets; not in @types/node. Tested in test/unit/proxy/client-input.test.ts.)
    (this.server as Server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;
    this.server.setTimeout(opts.socketTimeoutMs);
    this.maxRequests = opts.maxRequests;
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.onUpgrade(req, socket, head));
    // Every connection starts on the simple path (client/client-connection.ts) and goes to Node's
    // server's own connection listener at its first request that is not simple.
    const nodeConnection = this.server.listeners('connection');
    if (nodeConnection.length !== 1) throw new Error('unexpected: Node\'s HTTP server has no single connection listener');
    this.readByNode = nodeConnection[0] as (socket: Socket) => void;
    this.server.removeListener('connection', this.readByNode);
    const timeouts: ClientTimeouts = {
      headersMs: opts.headersTimeoutMs,
      socketMs: opts.socketTimeoutMs,
      keepAliveMs: opts.keepAliveTimeoutMs,
    };
    this.server.on('connection', (socket: Socket) => {
      this.connections++;
      socket.once('close', () => this.connections--);
      this.simpleConnections.add(new ClientConnection(socket, this, timeouts));
    });
    this.ticker = setInterval(() => {
      const now = performance.now();
      opts.onTick(now);
      for (const connection of this.simpleConnections) connection.expireIdle(now);
    }, opts.tickMs);
    this.ticker.unref();
  }

  get openConnections(): number {
    return this.connections;
  }

  async listen(port: number, host?: string): Promise<AddressInfo> {
    const address = await listenOn(this.server, port, host);
    this.port = address.port;
    return address;
  }

  onSimpleRequest(req: ClientRequest, res: ClientResponse): void {
    this.onRequest(req, res, undefined);
  }

  handOff(socket: Socket): void {
    this.readByNode.call(this.server, socket);
  }

  released(connection: ClientConnection): void {
    this.simpleConnections.delete(connection);
  }

  /** `body`: the request's body stream (Node's IncomingMessage), or undefined on the simple path. */
  private onRequest(req: ClientRequest, res: ClientResponse, body: Readable | undefined): void {
    this.inflight++;
    const prepared = this.inflight > this.maxRequests ? OVERLOADED : prepareRequest(req, this.hop(req));
    if (prepared.kind === 'refuse') {
      this.refuse(req, res, prepared);
      return;
    }
    const routed = this.route(prepared.host, prepared.path);
    if (routed === undefined) {
      this.refuse(req, res, NO_ROUTE);
      return;
    }
    new Exchange(routed.ctx, req, res, body, withPath(prepared, routed.path), this).start();
  }

  /** Answers a request without forwarding it, and closes the connection; counted and logged like the rest. */
  private refuse(req: ClientRequest, res: ClientResponse, problem: RequestProblem): void {
    const startedAt = performance.now();
    const client = req.socket.remoteAddress;
    res.once('close', () => {
      this.requestDone();
      const status = res.writableFinished ? res.statusCode : 499;
      recordRequest(this.refusals, { req, status, startedAt, client });
    });
    const body = `${problem.message}\n`;
    res.shouldKeepAlive = false;
    res.writeHead(problem.status, plainTextHeaders(body));
    res.end(body);
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const prepared = this.closing
      ? { kind: 'refuse' as const, status: 503, message: 'shutting down' }
      : prepareRequest(req, this.hop(req), true);
    const routed = prepared.kind === 'refuse' ? undefined : this.route(prepared.host, prepared.path);
    if (prepared.kind === 'refuse' || routed === undefined) {
      const problem = prepared.kind === 'refuse' ? prepared : NO_ROUTE;
      socket.on('error', () => {});
      refuseUpgrade(socket, problem.status, problem.message);
      return;
    }
    proxyWebSocket(routed.ctx, this.webSockets, req, withPath(prepared, routed.path), socket, head);
  }

  private hop(req: ClientRequest): ForwardedFor {
    const address = req.socket.remoteAddress;
    return {
      clientAddress: address === undefined ? '' : unmapIPv4(address),
      proto: 'http',
      trusted: this.trusted(address),
      port: this.port,
    };
  }

  get closing(): boolean {
    return this.stopping !== undefined;
  }

  requestDone(): void {
    this.inflight--;
    if (this.stopping === undefined) return;
    // Connections that just finished their last response would otherwise idle until keepAliveTimeout.
    this.closeIdleConnections();
    if (this.inflight === 0) this.stopping.resolve();
  }

  private closeIdleConnections(): void {
    this.server.closeIdleConnections();
    for (const connection of this.simpleConnections) connection.closeIfIdle();
  }

  /**
   * Graceful stop: close the listener (new connections are refused from then
   * on), let requests in flight finish for up to `timeoutMs`, then close every
   * connection that is left. Resolves with the number of requests cut off.
   */
  async shutdown(timeoutMs: number): Promise<number> {
    const finished = new Promise<void>((resolve) => {
      this.stopping = { resolve };
    });
    this.server.close();
    this.closeIdleConnections();
    if (this.inflight > 0) {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      });
      await Promise.race([finished, timedOut]);
      clearTimeout(timer);
    }
    const cut = this.inflight;
    clearInterval(this.ticker);
    this.server.closeAllConnections();
    for (const connection of this.simpleConnections) connection.destroy();
    return cut;
  }
}
