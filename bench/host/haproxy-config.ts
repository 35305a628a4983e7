import type { HaproxyBalance, ProxyMode } from '../targets';

export interface HaproxyServer {
  readonly host: string;
  readonly port: number;
}

export interface HaproxyListener {
  readonly name: string;
  readonly port: number;
  readonly balance: HaproxyBalance;
  /** http unless said otherwise. */
  readonly mode?: ProxyMode;
  readonly servers: readonly HaproxyServer[];
}

const NAME = /^[A-Za-z0-9_.-]+$/;

/** What a listener does besides balancing: compose-lb's work in that mode. */
const MODE_LINES: Readonly<Record<ProxyMode, readonly string[]>> = {
  // Headers parsed, X-Forwarded-For added, keep-alive on both sides.
  http: ['  option http-keep-alive', '  option forwardfor'],
  // Bytes piped unread, one server connection per client connection (LB_MODE=tcp).
  tcp: ['  mode tcp'],
};

/**
 * The reference HAProxy, set up to do the same work compose-lb does in the
 * listener's mode, on one thread (the CPU budget is one core, shared with the
 * replica). Listens on 127.0.0.1 only. Pure: the text is tested, the process is
 * started elsewhere.
 */
export function haproxyConfig(listeners: readonly HaproxyListener[], maxconn = 4096): string {
  const lines = [
    '# Written by compose-lb bench (bench/host/haproxy-config.ts).',
    'global',
    '  nbthread 1',
    // Above ulimit -n / 2, HAProxy refuses to start ("Cannot raise FD limit").
    `  maxconn ${maxconn}`,
    '',
    'defaults',
    '  mode http',
    '  timeout connect 3s',
    '  timeout client 30s',
    '  timeout server 60s',
    '  timeout http-keep-alive 30s',
  ];
  for (const listener of listeners) {
    if (!NAME.test(listener.name)) throw new Error(`"${listener.name}" cannot name a HAProxy section`);
    if (listener.servers.length === 0) throw new Error(`listener ${listener.name} has no servers`);
    lines.push('', `listen ${listener.name}`, `  bind 127.0.0.1:${listener.port}`, ...MODE_LINES[listener.mode ?? 'http']);
    lines.push(`  balance ${listener.balance}`);
    listener.servers.forEach((server, i) => lines.push(`  server r${i + 1} ${server.host}:${server.port}`));
  }
  return `${lines.join('\n')}\n`;
}
