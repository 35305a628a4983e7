import type { Socket } from 'node:net';
import type { ClientRequest } from './client-message';
import { readSimpleRequest, type SimpleRequest } from './simple-request';
import { SimpleResponse, type ResponseOwner } from './simple-response';

/** What a client connection needs from the server it belongs to. */
export interface ClientConnectionHost {
  /** A request read on the simple path; it has no body. */
  onSimpleRequest(req: ClientRequest, res: SimpleResponse): void;
  /** Node's HTTP server takes the connection from here on (the unread bytes are back in the socket). */
  handOff(socket: Socket): void;
  /** The connection is off the simple path: closed, or handed to Node's server. */
  released(connection: ClientConnection): void;
  /** Shutting down: close the connection once its response is out. */
  readonly closing: boolean;
}

/** The client-side timeouts, as Node's server applies them. */
export interface ClientTimeouts {
  /** The first request's head must arrive within this. */
  readonly headersMs: number;
  /** Inactivity, no bytes either way, at any time. */
  readonly socketMs: number;
  /** Idle between requests. */
  readonly keepAliveMs: number;
}

/** A request read on the simple path, in the shape of the IncomingMessage it stands in for. */
class SimpleClientRequest implements ClientRequest {
  readonly httpVersion = '1.1';
  readonly complete = true;
  readonly method: string;
  readonly url: string;
  readonly rawHeaders: string[];
  constructor(
    request: SimpleRequest,
    readonly socket: Socket,
  ) {
    this.method = request.method;
    this.url = request.url;
    this.rawHeaders = request.rawHeaders;
  }
}

/**
 * A client connection, read on the simple path while its requests are simple
 * GETs and HEADs whose heads arrive whole (most are: browsers, curl, load
 * generators). At the first request that is not, it goes to Node's HTTP
 * server for good, with the bytes it brought; Node's server reads it as if it
 * had had it from the start. Node's server costs about a fifth of the CPU a
 * proxied request takes (ARCHITECTURE.md, "Why most requests never meet Node's HTTP server"), most of it to
 * build a stream for a body and a response that these requests do not need.
 *
 * Requests are answered in order: one pipelined behind another is read once
 * the first response is out, as Node does.
 */
export class ClientConnection implements ResponseOwner {
  private response: SimpleResponse | undefined;
  /** The client half-closed: close once the responses it asked for are out. */
  private ended = false;
  /** performance.now() when the connection last had nothing to do; a request has been read since `served`. */
  private idleSince = performance.now();
  private served = false;
  /** `Keep-Alive: timeout=N` in seconds, as Node's server derives it (none for no keep-alive timeout). */
  private readonly keepAliveHint: number | undefined;
  private readonly onData = (data: Buffer): void => this.received(data);
  private readonly onEnd = (): void => this.clientEnded();
  private readonly onClose = (): void => this.closed();
  private readonly onTimeout = (): void => {
    this.socket.destroy();
  };

  constructor(
    private readonly socket: Socket,
    private readonly host: ClientConnectionHost,
    private readonly timeouts: ClientTimeouts,
  ) {
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('close', this.onClose);
    socket.on('error', noop); // 'close' follows, and tells the response
    socket.on('timeout', this.onTimeout);
    socket.setTimeout(timeouts.socketMs);
    this.keepAliveHint = timeouts.keepAliveMs > 0 ? Math.floor(timeouts.keepAliveMs / 1000) : undefined;
  }

  /**
   * Closes the connection if it has idled too long: for its first request's head, or between
   * requests. Called on the server's tick, so that no timer is set again for every request.
   */
  expireIdle(now: number): void {
    if (this.response !== undefined) return;
    const { keepAliveMs, headersMs } = this.timeouts;
    if (this.served) {
      // 0: no limit of its own, as in Node's server (the inactivity timeout still applies).
      if (keepAliveMs > 0 && now - this.idleSince >= keepAliveMs) this.socket.destroy();
    } else if (now - this.idleSince >= headersMs) {
      // What Node's server answers a connection that sends no request in time.
      this.socket.off('data', this.onData);
      this.host.released(this);
      this.socket.end(REQUEST_TIMEOUT, 'latin1');
      this.socket.destroySoon();
    }
  }

  /** Closes the connection now if no response is under way (graceful shutdown). */
  closeIfIdle(): void {
    if (this.response === undefined) this.socket.destroy();
  }

  destroy(): void {
    this.socket.destroy();
  }

  responseDone(keepAlive: boolean): void {
    this.response = undefined;
    if (this.socket.destroyed) return;
    if (!keepAlive || this.host.closing) {
      this.socket.destroySoon();
      return;
    }
    this.idleSince = performance.now();
    if (this.ended) this.socket.end();
    // Bytes that came behind the response flow again, and are read as the next request.
    else if (this.socket.isPaused()) this.socket.resume();
  }

  private received(data: Buffer): void {
    if (this.response === undefined) this.read(data);
    else this.holdBack(data);
  }

  /**
   * Bytes behind a response under way go back into the socket, which stops reading until the
   * response is out: a client pipelining faster than it is answered is not buffered here, and the
   * end of its stream is not read before them (Node's server cannot be given bytes after the end).
   */
  private holdBack(data: Buffer): void {
    this.socket.pause();
    this.socket.unshift(data);
  }

  /** Reads a request from what has arrived: on the simple path, or else by Node's server. */
  private read(data: Buffer): void {
    const request = readSimpleRequest(data);
    if (request === undefined) {
      this.handOff(data);
      return;
    }
    if (request.size < data.length) this.holdBack(data.subarray(request.size));
    this.served = true;
    const res = new SimpleResponse(this.socket, this, this.keepAliveHint, request.method === 'HEAD', request.keepAlive);
    this.response = res;
    this.host.onSimpleRequest(new SimpleClientRequest(request, this.socket), res);
  }

  private handOff(data: Buffer): void {
    const socket = this.socket;
    this.release();
    socket.unshift(data);
    socket.resume();
    this.host.handOff(socket);
  }

  private clientEnded(): void {
    this.ended = true;
    if (this.response === undefined) this.socket.end();
  }

  private closed(): void {
    const response = this.response;
    this.release();
    response?.cutOff();
  }

  private release(): void {
    const socket = this.socket;
    socket.off('data', this.onData);
    socket.off('end', this.onEnd);
    socket.off('close', this.onClose);
    socket.off('error', noop);
    socket.off('timeout', this.onTimeout);
    socket.setTimeout(0);
    this.host.released(this);
  }
}

const REQUEST_TIMEOUT = 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n';

function noop(): void {}
