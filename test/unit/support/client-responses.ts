import type { Socket } from 'node:net';

/** Responses as a client reads them off a raw socket, framed by hand (for byte-exact checks). */

export interface RawResponse {
  readonly status: number;
  /** Status line and header lines, the empty line included. */
  readonly head: string;
  /** The body without its framing (chunks joined). */
  readonly body: Buffer;
  /** Every byte of the response, as sent. */
  readonly text: string;
}

/** One whole response at the start of `data`, framed as RFC 9112 section 6.3 says, and its size in bytes. */
function frame(data: Buffer, bodiless: boolean, ended: boolean): { size: number; response: RawResponse } | undefined {
  const headEnd = data.indexOf('\r\n\r\n');
  if (headEnd === -1) return undefined;
  const start = headEnd + 4;
  const head = data.toString('latin1', 0, start);
  const status = Number(/^HTTP\/1\.1 (\d{3}) /.exec(head)?.[1]);
  const whole = (size: number, body: Buffer) => ({ size, response: { status, head, body, text: data.toString('latin1', 0, size) } });
  if (bodiless || status === 204 || status === 304) return whole(start, Buffer.alloc(0));
  const length = /\r\ncontent-length: *(\d+)\r\n/i.exec(head);
  if (length !== null) {
    const end = start + Number(length[1]);
    return data.length >= end ? whole(end, data.subarray(start, end)) : undefined;
  }
  if (/\r\ntransfer-encoding: *chunked\r\n/i.test(head)) {
    const chunks: Buffer[] = [];
    for (let at = start; ; ) {
      const lineEnd = data.indexOf('\r\n', at);
      if (lineEnd === -1) return undefined;
      const size = parseInt(data.toString('latin1', at, lineEnd), 16);
      const next = lineEnd + 2 + size + 2; // no trailers in these tests
      if (data.length < next) return undefined;
      if (size === 0) return whole(next, Buffer.concat(chunks));
      chunks.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
      at = next;
    }
  }
  // Delimited by the close of the connection.
  return ended ? whole(data.length, data.subarray(start)) : undefined;
}

/** Reads whole responses off a client socket, one at a time, as a client matches them to its requests. */
export class ResponseReader {
  private data: Buffer = Buffer.alloc(0);
  private ended = false;
  private wake: () => void = () => {};

  constructor(socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.data = this.data.length === 0 ? chunk : Buffer.concat([this.data, chunk]);
      this.wake();
    });
    socket.on('error', () => {}); // 'close' follows
    socket.once('close', () => {
      this.ended = true;
      this.wake();
    });
  }

  /** The next response; `bodiless` for the answer to a HEAD. Rejects if the connection closes first. */
  async next(bodiless = false): Promise<RawResponse> {
    for (;;) {
      const framed = frame(this.data, bodiless, this.ended);
      if (framed !== undefined) {
        this.data = this.data.subarray(framed.size);
        return framed.response;
      }
      if (this.ended) throw new Error(`closed before a whole response; got ${JSON.stringify(this.data.toString('latin1'))}`);
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  /** Once the server has closed the connection: whatever it sent after the responses read. */
  async rest(): Promise<string> {
    while (!this.ended) await new Promise<void>((resolve) => (this.wake = resolve));
    return this.data.toString('latin1');
  }

  /** The next `count` responses, as "status body" lines. */
  async bodies(count: number): Promise<string[]> {
    const out: string[] = [];
    for (let i = 0; i < count; i++) {
      const res = await this.next();
      out.push(`${res.status} ${res.body.toString('latin1')}`);
    }
    return out;
  }
}

/** Rejects with `what` unless `promise` settles within `ms` (so a missing close fails fast, and says what). */
export async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not within ${ms} ms: ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}
