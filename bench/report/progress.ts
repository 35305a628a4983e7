/**
 * One status line that rewrites itself on a terminal, and permanent lines
 * above it. Without a terminal (CI logs) the status is printed at most every
 * 10 s, so logs stay readable.
 */
export class Progress {
  private current = '';
  private lastPrinted = 0;
  private readonly tty: boolean;

  constructor(private readonly out: NodeJS.WriteStream = process.stderr) {
    this.tty = out.isTTY === true;
  }

  status(text: string): void {
    this.current = text;
    if (this.tty) {
      const width = Math.max(20, (this.out.columns ?? 100) - 1);
      this.out.write(`\r\x1b[2K${text.slice(0, width)}`);
    } else if (Date.now() - this.lastPrinted >= 10_000) {
      this.lastPrinted = Date.now();
      this.out.write(`${text}\n`);
    }
  }

  /** A permanent line; the status line is redrawn under it. */
  log(line: string): void {
    if (this.tty) this.out.write('\r\x1b[2K');
    this.out.write(`${line}\n`);
    if (this.tty && this.current !== '') this.status(this.current);
  }

  clear(): void {
    this.current = '';
    if (this.tty) this.out.write('\r\x1b[2K');
  }
}

/** The status text of a load run in progress, e.g. `overhead round 2/3 · HAProxy · 6/10 s · 31,204 req/s`. */
export function loadStatus(what: string, requests: number, elapsedSec: number, totalSec?: number): string {
  const rate = elapsedSec > 0 ? Math.round(requests / elapsedSec).toLocaleString('en-US') : '0';
  const time = totalSec === undefined ? `${elapsedSec.toFixed(0)} s` : `${elapsedSec.toFixed(0)}/${totalSec} s`;
  return `${what} · ${time} · ${rate} req/s`;
}
