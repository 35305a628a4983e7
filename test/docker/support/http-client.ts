import { createHash } from 'node:crypto';
import { Agent, request, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';

/** What a client saw of one response: enough to compare two answers to the same request. */
export interface Answer {
  readonly status: number;
  /** The headers that say what the body is (others, like Date, differ between any two answers). */
  readonly headers: Readonly<Record<string, string>>;
  readonly bytes: number;
  readonly sha256: string;
  /** The start of the body, as text, for messages and small bodies. */
  readonly text: string;
}

/**
 * Content-Length is not among them: a server streaming a CGI's output picks its framing by timing
 * (lighttpd sends a length when the CGI ended before the head went out, else chunks); `bytes` and
 * `sha256` compare the body itself.
 */
export const KEY_HEADERS = ['content-type', 'last-modified', 'etag', 'x-replica'] as const;

export interface Send {
  readonly method?: string;
  readonly path: string;
  readonly headers?: OutgoingHttpHeaders;
  /** A body of this many bytes (BODY_BLOCK repeated), written as fast as the connection takes it. */
  readonly bodyBytes?: number;
  /** Send the body chunked instead of with a Content-Length. */
  readonly chunked?: boolean;
  readonly agent?: Agent;
  /**
   * Read header lines ended by a bare LF, as HAProxy, nginx and curl do (busybox relays its CGIs' lines
   * as they are). Only for answers straight from a replica: the balancer's own are read strictly.
   */
  readonly lenient?: boolean;
  /** Called with the response before its body is read; the body is read once it resolves. */
  readonly onResponse?: (res: IncomingMessage) => Promise<void>;
}

/** 64 KiB of a pattern: request bodies are made of it, so their hash is known without keeping them. */
export const BODY_BLOCK = Buffer.alloc(64 * 1024, 'interop body ');

/** sha256 of `bytes` bytes of BODY_BLOCK repeated. */
export function bodyHash(bytes: number): string {
  const hash = createHash('sha256');
  for (let left = bytes; left > 0; left -= BODY_BLOCK.length) hash.update(BODY_BLOCK.subarray(0, Math.min(left, BODY_BLOCK.length)));
  return hash.digest('hex');
}

/**
 * A new connection for every request unless a test passes an agent of its own: Node's global agent
 * keeps connections alive, and a replica that closes idle ones without a hint (nginx, lighttpd)
 * would break the test's next request on it (the race the balancer itself must handle).
 */
const ONE_REQUEST_PER_CONNECTION = new Agent({ keepAlive: false });

/** One request; the response body is hashed as it streams in, never kept whole. */
export function exchange(base: string, send: Send): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: OutgoingHttpHeaders = { ...send.headers };
    if (send.bodyBytes !== undefined && send.chunked !== true) headers['content-length'] = send.bodyBytes;
    const req = request(new URL(send.path, base), {
      method: send.method ?? 'GET',
      headers,
      agent: send.agent ?? ONE_REQUEST_PER_CONNECTION,
      insecureHTTPParser: send.lenient === true,
      timeout: 60_000,
    });
    req.once('timeout', () => req.destroy(new Error(`no answer from ${base}${send.path} within 60 s`)));
    req.once('error', reject);
    req.once('response', (res) => {
      const read = (): void => {
        const hash = createHash('sha256');
        let bytes = 0;
        let text = '';
        res.on('data', (chunk: Buffer) => {
          hash.update(chunk);
          bytes += chunk.length;
          if (text.length < 200) text += chunk.toString('latin1', 0, 200 - text.length);
        });
        res.once('error', reject);
        res.once('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: keyHeaders(res), bytes, sha256: hash.digest('hex'), text }),
        );
      };
      if (send.onResponse === undefined) read();
      else send.onResponse(res).then(read, reject);
    });
    writeBody(req, send.bodyBytes ?? 0);
  });
}

function keyHeaders(res: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of KEY_HEADERS) {
    const value = res.headers[name];
    if (typeof value === 'string') out[name] = value;
  }
  return out;
}

/** Writes `bytes` bytes of BODY_BLOCK, waiting for 'drain' whenever the connection is full, then ends. */
function writeBody(req: ReturnType<typeof request>, bytes: number): void {
  let left = bytes;
  const more = (): void => {
    while (left > 0) {
      const block = BODY_BLOCK.subarray(0, Math.min(left, BODY_BLOCK.length));
      left -= block.length;
      if (!req.write(block)) {
        req.once('drain', more);
        return;
      }
    }
    req.end();
  };
  more();
}

/** When each server-sent event of a stream arrived, in ms since the request went out. */
export interface EventTimes {
  readonly status: number;
  readonly contentType: string;
  /** Each event's `data:` line, in order. */
  readonly events: readonly string[];
  readonly arrivals: readonly number[];
  /** When the stream ended. */
  readonly endedAt: number;
}

/** Reads a server-sent-event stream to its end, noting when each event (a block ended by a blank line) arrived. */
export function readEvents(url: string, lenient: boolean): Promise<EventTimes> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const events: string[] = [];
    const arrivals: number[] = [];
    const req = request(url, { agent: ONE_REQUEST_PER_CONNECTION, insecureHTTPParser: lenient, timeout: 30_000 }, (res) => {
      let pending = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        const now = performance.now() - started;
        pending += chunk;
        for (let end = pending.indexOf('\n\n'); end !== -1; end = pending.indexOf('\n\n')) {
          events.push(/^data: (.*)$/m.exec(pending.slice(0, end))?.[1] ?? '');
          arrivals.push(now);
          pending = pending.slice(end + 2);
        }
      });
      res.once('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          contentType: res.headers['content-type'] ?? '',
          events,
          arrivals,
          endedAt: performance.now() - started,
        }),
      );
    });
    req.once('timeout', () => req.destroy(new Error(`event stream ${url} did not end within 30 s`)));
    req.once('error', reject);
    req.end();
  });
}
