import { StringDecoder } from 'node:string_decoder';

/**
 * Splits a stream of concatenated JSON objects (Docker's `/events` writes one
 * per line, but chunks split and merge them arbitrarily) into parsed values.
 * Scans brace depth outside strings, so it needs no newline between objects
 * and copes with a multi-byte character split across chunks.
 */
export class JsonStreamParser {
  private readonly decoder = new StringDecoder('utf8');
  private buffer = '';
  /** Scan state carried between chunks: position, depth and whether inside a string. */
  private scanned = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private start = -1;

  /** Feeds a chunk; returns every object it completed. Malformed objects go to `onError`. */
  push(chunk: Buffer | string, onError: (text: string, err: Error) => void = () => {}): unknown[] {
    this.buffer += typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    const values: unknown[] = [];
    let consumed = 0;
    for (let i = this.scanned; i < this.buffer.length; i++) {
      const ch = this.buffer[i];
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (ch === '\\') this.escaped = true;
        else if (ch === '"') this.inString = false;
      } else if (ch === '"') {
        this.inString = this.depth > 0;
      } else if (ch === '{') {
        if (this.depth++ === 0) this.start = i;
      } else if (ch === '}' && this.depth > 0 && --this.depth === 0) {
        const text = this.buffer.slice(this.start, i + 1);
        try {
          values.push(JSON.parse(text));
        } catch (err) {
          onError(text, err as Error);
        }
        consumed = i + 1;
      }
    }
    // Keep only the unfinished object, so the buffer never grows past one message.
    const keepFrom = this.depth > 0 ? this.start : this.buffer.length;
    const cut = Math.max(consumed, keepFrom);
    this.buffer = this.buffer.slice(cut);
    this.start -= cut;
    this.scanned = this.buffer.length;
    return values;
  }
}
