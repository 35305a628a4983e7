import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import type { Cleanup } from '../cleanup';

/** The CPU the systems under test share: proxies and replicas alike (the issue's `taskset` layout). */
export const SUT_CPU = '1';

export interface HostProcess {
  readonly pid: number;
  readonly name: string;
  /** The last lines it wrote, for error messages. */
  output(): string;
  /** SIGTERM, then SIGKILL if it is still there after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export interface StartOptions {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  readonly cleanup: Cleanup;
}

/** Starts a program pinned to the systems-under-test CPU; it is stopped by the cleanup if nothing else does. */
export function startPinned(opts: StartOptions): HostProcess {
  opts.cleanup.checkNotInterrupted(opts.name);
  const child = spawn('taskset', ['-c', SUT_CPU, opts.command, ...opts.args], {
    env: opts.env ?? process.env,
    cwd: opts.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error(`cannot start ${opts.name} (${opts.command})`);
  const lines: string[] = [];
  const keep = (chunk: Buffer): void => {
    lines.push(...chunk.toString('utf8').split('\n').filter((l) => l !== ''));
    lines.splice(0, Math.max(0, lines.length - 40));
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const stop = (graceMs = 5_000): Promise<void> => stopChild(child, graceMs);
  const forget = opts.cleanup.add(opts.name, () => stop(2_000));
  child.once('exit', forget);
  return { pid: child.pid, name: opts.name, output: () => lines.join('\n'), stop };
}

async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** A port free on 127.0.0.1 right now (the OS picks it); the caller binds it soon after. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/**
 * Polls until `check` returns a value, or throws after `timeoutMs` saying what
 * was awaited, or at once when `signal` aborts (Ctrl-C).
 */
export async function waitUntil<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 30_000,
  signal?: AbortSignal,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    signal?.throwIfAborted();
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`, { cause: last });
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Resolves once a GET of `url` answers 200. */
export function waitForHttp(url: string, what: string, timeoutMs = 30_000, signal?: AbortSignal): Promise<true> {
  return waitUntil(
    what,
    async () => {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      return res.status === 200 ? true : undefined;
    },
    timeoutMs,
    signal,
  );
}
