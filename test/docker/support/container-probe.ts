import { readFile } from 'node:fs/promises';
import { run } from './exec';
import { waitFor } from './wait';

/** Resident memory of a Node container's PID 1 (the balancer), in KiB, as the process itself reads it. */
export async function rssKb(containerId: string): Promise<number> {
  const script = "console.log(/VmRSS:\\s+(\\d+)/.exec(require('fs').readFileSync('/proc/1/status','utf8'))[1])";
  const { stdout } = await run('docker', ['exec', containerId, 'node', '-e', script]);
  return Number(stdout.trim());
}

/** One TCP connection of a network namespace, as /proc/net/tcp lists it. */
export interface TcpConnection {
  /** `ip:port`, dotted. */
  readonly local: string;
  readonly remote: string;
  /** TCP state: 1 established, 8 close-wait (the peer closed its side). */
  readonly state: number;
  /** Bytes received and not yet read by the process. */
  readonly rxQueue: number;
}

export const CLOSE_WAIT = 8;

/**
 * The TCP connections of a container's network namespace, read on the host through its PID 1
 * (/proc/PID/net/tcp and tcp6): works while the container is paused, when `docker exec` does not.
 * The balancer listens on `::`, so its clients' connections are in tcp6, as IPv4-mapped addresses.
 */
export async function tcpConnections(pid: number): Promise<TcpConnection[]> {
  const tables = await Promise.all(['tcp', 'tcp6'].map((table) => readFile(`/proc/${pid}/net/${table}`, 'utf8')));
  return tables
    .flatMap((text) => text.split('\n').slice(1))
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields.length > 4)
    .map((fields) => ({
      local: address(fields[1] ?? ''),
      remote: address(fields[2] ?? ''),
      state: Number.parseInt(fields[3] ?? '0', 16),
      rxQueue: Number.parseInt((fields[4] ?? ':0').split(':')[1] ?? '0', 16),
    }));
}

/**
 * `0300A8C0:0050` (IPv4 in host byte order, port) -> `192.168.0.3:80`; an IPv4-mapped IPv6 address
 * (`0000000000000000FFFF00000300A8C0:0050`) the same way. Other IPv6 addresses are left in hex.
 */
function address(hex: string): string {
  const [ip = '', port = '0'] = hex.split(':');
  const v4 = ip.length === 8 ? ip : ip.startsWith('0000000000000000FFFF0000') ? ip.slice(24) : undefined;
  if (v4 === undefined) return `${ip}:${Number.parseInt(port, 16)}`;
  const bytes = (v4.match(/../g) ?? []).map((b) => Number.parseInt(b, 16)).reverse();
  return `${bytes.join('.')}:${Number.parseInt(port, 16)}`;
}

export async function containerPid(containerId: string): Promise<number> {
  const { stdout } = await run('docker', ['inspect', '--format', '{{.State.Pid}}', containerId]);
  return Number(stdout.trim());
}

/**
 * Bytes that must wait unread in a receive queue to count as a stall. Not a full window: a socket
 * the reader stopped early has a receive buffer the kernel never grew, and held 51,676 bytes in a
 * run that waited for 64 KiB (2026-11-30, a lighttpd upload; a busybox one timed out the same way).
 */
const STALLED_BYTES = 16 * 1024;

/**
 * Waits until some connection of the namespace has stopped being read: bytes wait in its receive
 * queue, the same number on two looks 100 ms apart (a busy reader empties it in between). That is
 * back-pressure at work: the process reads no faster than the other side of it takes the bytes.
 * On a timeout, the error's cause says what the receive queues held at the last look.
 */
export function waitForStalledReader(pid: number, what: string, pick: (c: TcpConnection) => boolean): Promise<TcpConnection> {
  let previous = new Map<string, number>();
  return waitFor(what, async () => {
    const picked = (await tcpConnections(pid)).filter(pick);
    const now = picked.filter((c) => c.rxQueue >= STALLED_BYTES);
    const stalled = now.find((c) => previous.get(c.local + c.remote) === c.rxQueue);
    previous = new Map(now.map((c) => [c.local + c.remote, c.rxQueue]));
    if (stalled === undefined) throw new Error(`receive queues: ${picked.map((c) => `${c.remote} ${c.rxQueue}`).join(', ')}`);
    return stalled;
  });
}

/**
 * Runs `during` with the container paused (its processes frozen, Docker told), and unpauses it
 * whatever happens. For the balancer: the balancer takes a paused replica out of rotation.
 */
export function whilePaused<T>(containerId: string, during: () => Promise<T>): Promise<T> {
  return between(['docker', 'pause', containerId], ['docker', 'unpause', containerId], during);
}

/**
 * Runs `during` with every process of the container stopped (SIGSTOP from the host), and continues
 * them whatever happens. Docker sees nothing, so the balancer keeps the replica in rotation while
 * the replica reads nothing.
 */
export async function whileStopped<T>(containerId: string, during: () => Promise<T>): Promise<T> {
  const { stdout } = await run('docker', ['top', containerId, '-o', 'pid']);
  const pids = stdout.split('\n').slice(1).map((line) => line.trim()).filter(Boolean);
  return between(['kill', '-STOP', ...pids], ['kill', '-CONT', ...pids], during);
}

async function between<T>(before: readonly string[], after: readonly string[], during: () => Promise<T>): Promise<T> {
  const [file = '', ...args] = before;
  await run(file, args);
  try {
    return await during();
  } finally {
    const [undo = '', ...undoArgs] = after;
    await run(undo, undoArgs);
  }
}
