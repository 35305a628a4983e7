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

/** The demo app's line once its server listens (compose/demo/app/server.js). */
const LISTENING = /"msg":"listening"/;
const GIVE_UP_MS = 20_000;

/**
 * When each new replica's app started listening: the moment it could first
 * serve, read from its own log line. A start event comes before that (Node
 * still has to boot), so "how soon did it get traffic" is measured from here.
 */
export class ListeningWatcher {
  /** Short container ID -> epoch ms. */
  readonly listeningAt = new Map<string, number>();
  private readonly followers = new Set<ChildProcess>();
  private readonly watched = new Set<string>();
  private readonly forget: () => void;

  constructor(cleanup: Cleanup) {
    this.forget = cleanup.add('docker logs followers', async () => this.stop());
  }

  /** Follows a container's log from its start; a container already followed (restarted) is not followed again. */
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
    createInterface({ input: child.stdout }).on('line', (line) => {
      const parsed = parseTimestampedLine(line);
      if (parsed === undefined || !LISTENING.test(parsed.text)) return;
      this.listeningAt.set(containerId.slice(0, 12), parsed.atMs);
      done();
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
