import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Cleanup } from '../cleanup';

/**
 * `docker logs --timestamps` puts an RFC 3339 time with nanoseconds before each
 * line; returns it in epoch milliseconds (sub-millisecond kept) and the line.
 * Pure.
 */
export function parseTimestampedLine(line: string): { readonly atMs: number; readonly text: string } | undefined {
  const match = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?Z (.*)$/.exec(line);
  if (!match?.[1]) return undefined;
  const whole = Date.parse(`${match[1]}Z`);
  if (Number.isNaN(whole)) return undefined;
  const fraction = Number(`0.${match[2] ?? '0'}`) * 1000;
  return { atMs: whole + fraction, text: match[3] ?? '' };
}

/**
 * When a line of the demo app says it was written (its `at`, the host's clock in epoch ms); else
 * Docker's stamp, which is when Docker read the line: tens of milliseconds late on a busy host. Pure.
 */
export function lineTime(line: { readonly atMs: number; readonly text: string }): number {
  const own = /"at":(\d+(?:\.\d+)?)/.exec(line.text)?.[1];
  return own === undefined ? line.atMs : Number(own);
}

/** The demo app's lines once its server listens and when its first request arrives (compose/demo/app/server.js). */
const LISTENING = /"msg":"listening"/;
const FIRST_REQUEST = /"msg":"first request"/;
const GIVE_UP_MS = 20_000;

/**
 * When each new replica's app started listening (the moment it could first
 * serve) and when its first request reached it, both as its own log lines say:
 * one clock, and nothing of the request's own time (a held request was sent
 * long before) or of the answer's.
 */
export class AppLogWatcher {
  /** Short container ID -> epoch ms. */
  readonly listeningAt = new Map<string, number>();
  readonly firstRequestAt = new Map<string, number>();
  private readonly followers = new Set<ChildProcess>();
  private readonly watched = new Set<string>();
  private readonly forget: () => void;

  constructor(cleanup: Cleanup) {
    this.forget = cleanup.add('docker logs followers', async () => this.stop());
  }

  /**
   * Follows a container's log from its start until both lines are there; a container already followed
   * (restarted) is not followed again.
   */
  watch(containerId: string): void {
    if (this.watched.has(containerId)) return;
    this.watched.add(containerId);
    const child = spawn('docker', ['logs', '--follow', '--timestamps', containerId], { stdio: ['ignore', 'pipe', 'ignore'] });
    this.followers.add(child);
    const done = (): void => {
      clearTimeout(timer);
      child.kill('SIGTERM');
      this.followers.delete(child);
    };
    const timer = setTimeout(done, GIVE_UP_MS);
    const id = containerId.slice(0, 12);
    createInterface({ input: child.stdout }).on('line', (line) => {
      const parsed = parseTimestampedLine(line);
      if (parsed === undefined) return;
      if (LISTENING.test(parsed.text)) this.listeningAt.set(id, lineTime(parsed));
      else if (FIRST_REQUEST.test(parsed.text)) this.firstRequestAt.set(id, lineTime(parsed));
      if (this.listeningAt.has(id) && this.firstRequestAt.has(id)) done();
    });
    child.on('exit', () => {
      clearTimeout(timer);
      this.followers.delete(child);
    });
  }

  stop(): void {
    this.forget();
    for (const child of this.followers) child.kill('SIGTERM');
    this.followers.clear();
  }
}
