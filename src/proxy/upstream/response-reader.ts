import { UpstreamClosedError, UpstreamProtocolError } from '../../errors';
import { parseResponseHead, type RequestFacts, type ResponseHead } from './response-head';

/** Where a response goes as it is read. */
export interface ResponseSink {
  onHead(head: ResponseHead): void;
  /** A piece of the body, de-chunked. May be a view of the chunk the socket delivered: use it before returning. */
  onBody(data: Buffer): void;
  onComplete(): void;
}

/** Longest response head accepted (status line and headers); HAProxy's default buffer is 16 KiB, nginx's 4-8 KiB. */
export const MAX_HEAD_BYTES = 64 * 1024;
/** Longest chunk-size line (size, extensions): chunk extensions are never forwarded, only skipped. */
const MAX_CHUNK_LINE = 4096;

const LF = 10;
const CR = 13;

const enum State {
  Head,
  Length,
  ChunkSize,
  ChunkData,
  ChunkDataEnd,
  Trailers,
  UntilClose,
  Done,
}

const invalid = (why: string): UpstreamProtocolError => new UpstreamProtocolError(`replica sent ${why}`);

/**
 * Reads one HTTP/1.x response from the bytes of a replica connection, in any
 * chunking: finds the end of the head (bare-LF line endings accepted), then
 * delimits the body by its framing. 1xx interim responses (100 Continue, 103)
 * are read and dropped. Throws UpstreamProtocolError on anything that cannot
 * be framed one way only.
 */
export class ResponseReader {
  private state = State.Done;
  private request: RequestFacts = { head: false };
  private pending: Buffer | undefined;
  /** Bytes left in the body (Length) or the current chunk (ChunkData). */
  private remaining = 0;
  private line = '';
  /** Bytes that came after the end of the response: the connection cannot carry another one. */
  trailing = false;
  /** Some byte of an answer (an interim 100 Continue included) arrived: the replica saw the request. */
  private answered = false;

  constructor(private readonly sink: ResponseSink) {}

  /** Expects the response to a new request. */
  begin(request: RequestFacts): void {
    this.state = State.Head;
    this.request = request;
    this.pending = undefined;
    this.trailing = false;
    this.answered = false;
  }

  get complete(): boolean {
    return this.state === State.Done;
  }

  /** No byte of an answer has arrived yet. */
  get untouched(): boolean {
    return !this.answered;
  }

  /** The head has been read: a failure from now on is a failure mid-response. */
  get headRead(): boolean {
    return this.state !== State.Head && this.state !== State.Done;
  }

  push(data: Buffer): void {
    this.answered = true;
    let chunk = data;
    while (chunk.length > 0) {
      switch (this.state) {
        case State.Head:
          chunk = this.readHead(chunk);
          break;
        case State.Length:
          chunk = this.readLength(chunk);
          break;
        case State.ChunkSize:
        case State.Trailers:
          chunk = this.readLine(chunk);
          break;
        case State.ChunkData:
          chunk = this.readChunkData(chunk);
          break;
        case State.ChunkDataEnd:
          chunk = this.readChunkDataEnd(chunk);
          break;
        case State.UntilClose:
          this.sink.onBody(chunk);
          return;
        case State.Done:
          this.trailing = true;
          return;
      }
    }
  }

  /** The replica closed the connection: ends a body read until close, else the response is cut short. */
  end(): void {
    if (this.state === State.UntilClose) {
      this.state = State.Done;
      this.sink.onComplete();
    } else if (this.state !== State.Done) {
      throw new UpstreamClosedError();
    }
  }

  private readHead(data: Buffer): Buffer {
    const buffer = this.pending === undefined ? data : Buffer.concat([this.pending, data]);
    // Searching from just before the new bytes finds an end that straddles two reads.
    const from = this.pending === undefined ? 0 : Math.max(0, this.pending.length - 2);
    const end = headEnd(buffer, from);
    if (end === -1) {
      if (buffer.length > MAX_HEAD_BYTES) throw invalid(`a response head over ${MAX_HEAD_BYTES} bytes`);
      this.pending = buffer;
      return EMPTY;
    }
    this.pending = undefined;
    if (end.bodyStart > MAX_HEAD_BYTES) throw invalid(`a response head over ${MAX_HEAD_BYTES} bytes`);
    const head = parseResponseHead(buffer.toString('latin1', 0, end.textEnd), this.request);
    const rest = buffer.subarray(end.bodyStart);
    if (head.status < 200) {
      // 101 is an upgrade, handled by the WebSocket path: on this path it is a protocol the client never asked for.
      if (head.status === 101) throw invalid('101 Switching Protocols to a request that asked for no upgrade');
      return rest; // an interim response: the final one follows
    }
    this.sink.onHead(head);
    this.startBody(head);
    return rest;
  }

  private startBody(head: ResponseHead): void {
    switch (head.framing) {
      case 'none':
        this.finish();
        break;
      case 'length':
        this.remaining = head.length;
        if (head.length === 0) this.finish();
        else this.state = State.Length;
        break;
      case 'chunked':
        this.state = State.ChunkSize;
        this.line = '';
        break;
      case 'close':
        this.state = State.UntilClose;
        break;
    }
  }

  private readLength(data: Buffer): Buffer {
    if (data.length < this.remaining) {
      this.remaining -= data.length;
      this.sink.onBody(data);
      return EMPTY;
    }
    const body = data.length === this.remaining ? data : data.subarray(0, this.remaining);
    const rest = data.subarray(this.remaining);
    this.remaining = 0;
    this.sink.onBody(body);
    this.finish();
    return rest;
  }

  /** A chunk-size line or a trailer line, which may arrive in pieces. */
  private readLine(data: Buffer): Buffer {
    const lf = data.indexOf(LF);
    const piece = data.toString('latin1', 0, lf === -1 ? data.length : lf);
    if (this.line.length + piece.length > MAX_CHUNK_LINE) throw invalid('a chunk-size or trailer line too long');
    this.line += piece;
    if (lf === -1) return EMPTY;
    let line = this.line;
    this.line = '';
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line.includes('\r')) throw invalid('a bare CR in a chunked body');
    if (this.state === State.ChunkSize) this.onChunkSize(line);
    else if (line === '') this.finish(); // the empty line after the trailers (dropped: they are not forwarded)
    return data.subarray(lf + 1);
  }

  private onChunkSize(line: string): void {
    const size = chunkSize(line);
    if (size === 0) {
      this.state = State.Trailers;
    } else {
      this.remaining = size;
      this.state = State.ChunkData;
    }
  }

  private readChunkData(data: Buffer): Buffer {
    if (data.length <= this.remaining) {
      this.remaining -= data.length;
      this.sink.onBody(data);
      if (this.remaining === 0) this.state = State.ChunkDataEnd;
      return EMPTY;
    }
    const body = data.subarray(0, this.remaining);
    const rest = data.subarray(this.remaining);
    this.remaining = 0;
    this.state = State.ChunkDataEnd;
    this.sink.onBody(body);
    return rest;
  }

  /** CRLF (or a bare LF) after a chunk's data; anything else means the size lied. */
  private readChunkDataEnd(data: Buffer): Buffer {
    let at = 0;
    if (this.line === '' && data[0] === CR) {
      this.line = '\r';
      at = 1;
      if (data.length === 1) return EMPTY;
    }
    if (data[at] !== LF) throw invalid('chunk data longer than its size');
    this.line = '';
    this.state = State.ChunkSize;
    return data.subarray(at + 1);
  }

  private finish(): void {
    this.state = State.Done;
    this.sink.onComplete();
  }
}

const EMPTY = Buffer.alloc(0);

/**
 * Where the head ends: an empty line, after LF or CRLF line endings in any mix.
 * `textEnd` excludes the final empty line; `bodyStart` is the first body byte.
 */
function headEnd(buffer: Buffer, from: number): { textEnd: number; bodyStart: number } | -1 {
  let at = from;
  for (;;) {
    const lf = buffer.indexOf(LF, at);
    if (lf === -1) return -1;
    const next = buffer[lf + 1];
    if (next === LF) return { textEnd: lf, bodyStart: lf + 2 };
    if (next === CR && buffer[lf + 2] === LF) return { textEnd: lf, bodyStart: lf + 3 };
    if (next === undefined || (next === CR && lf + 2 >= buffer.length)) return -1;
    at = lf + 1;
  }
}

/**
 * chunk-size [ chunk-ext ] (RFC 9112 section 7.1), with the whitespace around
 * the size that nginx and HAProxy accept. Extensions are skipped.
 */
function chunkSize(line: string): number {
  const semicolon = line.indexOf(';');
  const digits = (semicolon === -1 ? line : line.slice(0, semicolon)).trim();
  if (!/^[0-9a-fA-F]{1,12}$/.test(digits)) throw invalid(`an invalid chunk size ${JSON.stringify(line.slice(0, 40))}`);
  return Number.parseInt(digits, 16);
}
