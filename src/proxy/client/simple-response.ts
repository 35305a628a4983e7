import { EventEmitter } from 'node:events';
import { STATUS_CODES, type OutgoingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import type { ClientResponse } from './client-message';

/** What a SimpleResponse tells its connection. */
export interface ResponseOwner {
  /** The response is over: every byte went to the socket, or the socket closed first. */
  responseDone(keepAlive: boolean): void;
}

/**
 * The response to a request read on the simple path, written straight to the
 * client's socket in the form Node's ServerResponse gives it: the same status
 * line, the headers in order, then Date (unless given), Connection and
 * Keep-Alive, and chunked framing when the length is unknown. No body for
 * HEAD, 204 and 304. One write per response when it is whole, as Node does.
 */
export class SimpleResponse extends EventEmitter implements ClientResponse {
  statusCode = 200;
  headersSent = false;
  writableFinished = false;
  private head: string | undefined;
  private chunked = false;
  private bodiless: boolean;
  private corked = false;

  constructor(
    private readonly socket: Socket,
    private readonly owner: ResponseOwner,
    /** `Keep-Alive: timeout=N`, in seconds, as Node derives it from keepAliveTimeout (none: no such header). */
    private readonly keepAliveSeconds: number | undefined,
    head: boolean,
    public shouldKeepAlive: boolean,
  ) {
    super();
    this.bodiless = head;
  }

  writeHead(status: number, reason: string | undefined, headers: string[]): this;
  writeHead(status: number, headers: OutgoingHttpHeaders): this;
  writeHead(status: number, reasonOrHeaders: string | undefined | OutgoingHttpHeaders, list?: string[]): this {
    this.statusCode = status;
    const reason = typeof reasonOrHeaders === 'string' ? reasonOrHeaders : undefined;
    let text = `HTTP/1.1 ${status} ${reason ?? STATUS_CODES[status] ?? 'unknown'}\r\n`;
    const headers = list ?? flatten(reasonOrHeaders);
    let length = false;
    let date = false;
    for (let i = 0; i < headers.length; i += 2) {
      const name = headers[i] as string;
      if (name.length === 14) length ||= name.toLowerCase() === 'content-length';
      else if (name.length === 4) date ||= name.toLowerCase() === 'date';
      text += `${name}: ${headers[i + 1] as string}\r\n`;
    }
    if (!date) text += `Date: ${httpDate()}\r\n`;
    if (!this.shouldKeepAlive) text += 'Connection: close\r\n';
    else if (this.keepAliveSeconds === undefined) text += 'Connection: keep-alive\r\n';
    else text += `Connection: keep-alive\r\nKeep-Alive: timeout=${this.keepAliveSeconds}\r\n`;
    this.bodiless ||= status === 204 || status === 304;
    if (!length && !this.bodiless) {
      this.chunked = true;
      text += 'Transfer-Encoding: chunked\r\n';
    }
    this.head = `${text}\r\n`;
    return this;
  }

  write(data: Buffer): boolean {
    this.sendHead();
    if (this.bodiless || data.length === 0) return true;
    let more: boolean;
    if (this.chunked) {
      this.socket.write(`${data.length.toString(16)}\r\n`, 'latin1');
      this.socket.write(data);
      more = this.socket.write('\r\n', 'latin1');
    } else {
      more = this.socket.write(data);
    }
    if (!more) this.socket.once('drain', () => this.emit('drain'));
    return more;
  }

  end(body?: string): this {
    this.sendHead();
    if (body !== undefined && body !== '' && !this.bodiless) this.socket.write(body);
    this.socket.write(this.chunked ? '0\r\n\r\n' : '', 'latin1', (err) => {
      // An error: the socket was destroyed first, and `cutOff` tells of it.
      if (err === undefined || err === null) this.finished();
    });
    this.uncork();
    return this;
  }

  destroy(): this {
    this.socket.destroy();
    return this;
  }

  /** The client's socket closed before the response was all written. */
  cutOff(): void {
    if (this.writableFinished) return;
    this.emit('close');
    this.owner.responseDone(false);
  }

  private finished(): void {
    this.writableFinished = true;
    this.emit('close');
    this.owner.responseDone(this.shouldKeepAlive);
  }

  /** The head goes out with the first body bytes (or the end), in one write of a corked socket. */
  private sendHead(): void {
    if (this.head === undefined) return;
    this.socket.cork();
    this.corked = true;
    // A body that keeps coming is written as it comes: the socket is uncorked at the end of this tick.
    process.nextTick(uncorkAtTickEnd, this);
    this.socket.write(this.head, 'latin1');
    this.head = undefined;
    this.headersSent = true;
  }

  uncork(): void {
    if (!this.corked) return;
    this.corked = false;
    this.socket.uncork();
  }
}

/** The balancer's own headers (an object, as for Node's writeHead) as a flat list. */
function flatten(headers: string | undefined | OutgoingHttpHeaders): string[] {
  if (typeof headers !== 'object') return [];
  const list: string[] = [];
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (Array.isArray(value)) for (const one of value) list.push(name, one);
    else if (value !== undefined) list.push(name, String(value));
  }
  return list;
}

function uncorkAtTickEnd(response: SimpleResponse): void {
  response.uncork();
}

let dateText = '';
let dateSecond = -1;

/** The Date header's value (RFC 9110 section 5.6.7), made once a second. */
function httpDate(): string {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== dateSecond) {
    dateSecond = second;
    dateText = new Date(now).toUTCString();
  }
  return dateText;
}
