import { STRATEGIES, type Strategy } from '../src/config';

/** HAProxy's names for the two strategies compose-lb also has. */
export const HAPROXY_BALANCES = ['roundrobin', 'leastconn'] as const;
export type HaproxyBalance = (typeof HAPROXY_BALANCES)[number];

export type Target =
  | { readonly kind: 'direct'; readonly id: string; readonly label: string }
  | { readonly kind: 'plain-http-proxy'; readonly id: string; readonly label: string }
  | { readonly kind: 'haproxy'; readonly id: string; readonly label: string; readonly balance: HaproxyBalance }
  | { readonly kind: 'compose-lb'; readonly id: string; readonly label: string; readonly strategy: Strategy };

const DIRECT: Target = { kind: 'direct', id: 'direct', label: 'direct (no proxy)' };
const PLAIN: Target = { kind: 'plain-http-proxy', id: 'plain-http-proxy', label: 'plain http-proxy script' };

const haproxy = (balance: HaproxyBalance): Target => ({
  kind: 'haproxy',
  id: `haproxy-${balance}`,
  label: `HAProxy ${balance}`,
  balance,
});
const composeLb = (strategy: Strategy): Target => ({
  kind: 'compose-lb',
  id: `compose-lb-${strategy}`,
  label: `compose-lb ${strategy}`,
  strategy,
});

/**
 * The one list of targets. Overhead has one replica, so strategy does not
 * matter there and each proxy appears once; scaling compares every strategy
 * compose-lb has (a new one in src/config.ts shows up here by itself) with
 * HAProxy's two.
 */
export const OVERHEAD_TARGETS: readonly Target[] = [DIRECT, haproxy('roundrobin'), PLAIN, composeLb('round-robin')];
export const SCALING_TARGETS: readonly Target[] = [...STRATEGIES.map(composeLb), ...HAPROXY_BALANCES.map(haproxy)];

/** The overhead target every other is compared with. */
export const REFERENCE_IDS = { direct: DIRECT.id, haproxy: haproxy('roundrobin').id, plain: PLAIN.id } as const;
