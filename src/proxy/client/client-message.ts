import type { OutgoingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';

/**
 * What the proxy reads of a client's request. Node's IncomingMessage has it,
 * and so does a request read on the simple path (`simple-request.ts`), which
 * has no body: a request with one is read by Node's server, and its
 * IncomingMessage is also the body's stream.
 */
export interface ClientRequest {
  readonly method?: string | undefined;
  readonly url?: string | undefined;
  readonly httpVersion: string;
  readonly rawHeaders: string[];
  /** The whole request, body included, has arrived. */
  readonly complete: boolean;
  readonly socket: Socket;
}

/** What the proxy does with the response to a client: Node's ServerResponse, or a SimpleResponse. */
export interface ClientResponse {
  statusCode: number;
  readonly headersSent: boolean;
  /** Every byte of the response went to the socket. */
  readonly writableFinished: boolean;
  /** Whether the connection carries another request after this one; set false to close it after. */
  shouldKeepAlive: boolean;
  writeHead(status: number, reason: string | undefined, headers: string[]): unknown;
  writeHead(status: number, headers: OutgoingHttpHeaders): unknown;
  /** False when the socket's buffer is full: wait for 'drain'. */
  write(data: Buffer): boolean;
  end(body?: string): unknown;
  destroy(): unknown;
  /** 'close': the response is over, sent or not; 'drain': write may go on. */
  once(event: 'close' | 'drain', listener: () => void): unknown;
}
