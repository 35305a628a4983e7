import { STRATEGIES, type Strategy } from '../src/config';
import { PLAIN_PROXY_SCRIPT, TCP_RELAY_SCRIPT, UNDICI_PROXY_SCRIPT } from './paths';

/** HAProxy's names for the two strategies compose-lb also has. */
export const HAPROXY_BALANCES = ['roundrobin', 'leastconn'] as const;
export type HaproxyBalance = (typeof HAPROXY_BALANCES)[number];

/** What a proxy reads: HTTP (requests parsed, headers rewritten) or TCP (bytes piped unread). */
export type ProxyMode = 'http' | 'tcp';

export type Target =
  | { readonly kind: 'direct'; readonly id: string; readonly label: string }
  /** A minimal Node proxy from test/fixtures/proxies: a reference for what Node itself costs. */
  | { readonly kind: 'script'; readonly id: string; readonly label: string; readonly script: string; readonly mode: ProxyMode }
  | { readonly kind: 'haproxy'; readonly id: string; readonly label: string; readonly balance: HaproxyBalance; readonly mode: ProxyMode }
  | { readonly kind: 'compose-lb'; readonly id: string; readonly label: string; readonly strategy: Strategy; readonly mode: ProxyMode };

const DIRECT: Target = { kind: 'direct', id: 'direct', label: 'direct (no proxy)' };
const PLAIN: Target = { kind: 'script', id: 'plain-http-proxy', label: 'plain http-proxy script', script: PLAIN_PROXY_SCRIPT, mode: 'http' };
const UNDICI: Target = { kind: 'script', id: 'plain-undici-proxy', label: 'plain undici proxy', script: UNDICI_PROXY_SCRIPT, mode: 'http' };
/** What TCP mode is held to besides HAProxy: the leanest relay Node can do. */
const RELAY: Target = { kind: 'script', id: 'plain-tcp-relay', label: 'plain Node TCP relay', script: TCP_RELAY_SCRIPT, mode: 'tcp' };

const haproxy = (balance: HaproxyBalance, mode: ProxyMode = 'http'): Target => ({
  kind: 'haproxy',
  id: mode === 'tcp' ? 'haproxy-tcp' : `haproxy-${balance}`,
  label: mode === 'tcp' ? 'HAProxy mode tcp' : `HAProxy ${balance}`,
  balance,
  mode,
});
const composeLb = (strategy: Strategy, mode: ProxyMode = 'http'): Target => ({
  kind: 'compose-lb',
  id: mode === 'tcp' ? 'compose-lb-tcp' : `compose-lb-${strategy}`,
  label: mode === 'tcp' ? 'compose-lb LB_MODE=tcp' : `compose-lb ${strategy}`,
  strategy,
  mode,
});

/**
 * The one list of targets. Overhead has one replica, so strategy does not
 * matter there and each proxy appears once per mode; scaling and slow-replica
 * compare every strategy compose-lb has (a new one in src/config.ts shows up
 * here by itself) with HAProxy's two.
 */
export const OVERHEAD_TARGETS: readonly Target[] = [
  DIRECT,
  haproxy('roundrobin'),
  PLAIN,
  UNDICI,
  composeLb('round-robin'),
  haproxy('roundrobin', 'tcp'),
  RELAY,
  composeLb('round-robin', 'tcp'),
];
export const BALANCING_TARGETS: readonly Target[] = [...STRATEGIES.map((s) => composeLb(s)), ...HAPROXY_BALANCES.map((b) => haproxy(b))];

/** The overhead targets every other is compared with. */
export const REFERENCE_IDS = {
  direct: DIRECT.id,
  haproxy: haproxy('roundrobin').id,
  haproxyTcp: haproxy('roundrobin', 'tcp').id,
  plain: PLAIN.id,
  undici: UNDICI.id,
  tcpRelay: RELAY.id,
  composeLb: composeLb('round-robin').id,
  composeLbTcp: composeLb('round-robin', 'tcp').id,
} as const;

/** What a summary needs of a target: any Target, or a scenario's own (routing's two balancers). */
export interface NamedTarget {
  readonly id: string;
  readonly label: string;
  readonly mode?: ProxyMode;
}

/** The HAProxy a target is held against: the one that does the same work (HTTP or TCP). */
export function haproxyPeerOf(target: NamedTarget): string {
  return target.mode === 'tcp' ? REFERENCE_IDS.haproxyTcp : REFERENCE_IDS.haproxy;
}
