/** One server-sent event: its type and its data, lines joined. */
export interface SseEvent {
  readonly event: string;
  readonly data: string;
}

/**
 * Server-sent events (the WHATWG event-stream format) from a stream that
 * arrives in arbitrary chunks: events end at an empty line; `data:` lines join
 * with newlines; comments (`: ping`) and unknown fields are skipped.
 */
export class SseParser {
  private buffer = '';
  private event = 'message';
  private data: string[] = [];

  push(chunk: string): SseEvent[] {
    this.buffer += chunk;
    const events: SseEvent[] = [];
    for (let lf = this.buffer.indexOf('\n'); lf !== -1; lf = this.buffer.indexOf('\n')) {
      const line = this.buffer.slice(0, lf).replace(/\r$/, '');
      this.buffer = this.buffer.slice(lf + 1);
      if (line === '') {
        if (this.data.length > 0) events.push({ event: this.event, data: this.data.join('\n') });
        this.event = 'message';
        this.data = [];
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') this.event = value;
      else if (field === 'data') this.data.push(value);
    }
    return events;
  }
}
