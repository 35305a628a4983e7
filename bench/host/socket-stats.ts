import { spawnRunner } from '../../src/runtime/spawn-runner';

/** What one TCP socket has sent so far, from `ss -ti` (tcp_info: tcpi_segs_out, tcpi_data_segs_out). */
export interface SocketCounters {
  readonly segsOut: number;
  /** Segments that carried data; the rest were pure ACKs (and the handshake's). */
  readonly dataSegsOut: number;
}

const ZERO: SocketCounters = { segsOut: 0, dataSegsOut: 0 };

/**
 * `ss -tinH state established`: a line per socket (Recv-Q, Send-Q, local
 * address, peer address) and an indented line of tcp_info. Keyed by
 * "local peer", which names a connection for as long as it lives. Pure.
 */
export function parseSocketCounters(text: string): Map<string, SocketCounters> {
  const sockets = new Map<string, SocketCounters>();
  let key: string | undefined;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    if (!/^\s/.test(line)) {
      key = line.trim().split(/\s+/).slice(-2).join(' ');
      continue;
    }
    if (key === undefined) continue;
    const field = (name: string): number => Number(new RegExp(`(?:^|\\s)${name}:(\\d+)`).exec(line)?.[1] ?? 0);
    sockets.set(key, { segsOut: field('segs_out'), dataSegsOut: field('data_segs_out') });
    key = undefined;
  }
  return sockets;
}

/** What the sockets sent between two readings; a socket opened meanwhile counts from zero. Pure. */
export function sentBetween(before: ReadonlyMap<string, SocketCounters>, after: ReadonlyMap<string, SocketCounters>): SocketCounters {
  let segsOut = 0;
  let dataSegsOut = 0;
  for (const [key, now] of after) {
    const was = before.get(key) ?? ZERO;
    segsOut += now.segsOut - was.segsOut;
    dataSegsOut += now.dataSegsOut - was.dataSegsOut;
  }
  return { segsOut, dataSegsOut };
}

/** The established TCP sockets `ss` filter (its own syntax, e.g. `sport = :8080`) selects, in the host's namespace. */
export async function readSockets(filter: string): Promise<Map<string, SocketCounters>> {
  const { code, stdout, stderr } = await spawnRunner.capture('ss', ['-tinH', 'state', 'established', `( ${filter} )`]);
  if (code !== 0) throw new Error(`ss failed: ${stderr.trim()}`);
  return parseSocketCounters(stdout);
}
