import { join, resolve } from 'node:path';

/**
 * The checkout's root. This file is bundled into dist/bench.js, and both
 * dist/ and bench/ sit directly under the root, so one level up is right for both.
 */
export const ROOT = resolve(__dirname, '..');
export const BALANCER_BUNDLE = join(ROOT, 'dist', 'compose-lb.js');
const PROXIES = join(ROOT, 'test', 'fixtures', 'proxies');
export const PLAIN_PROXY_SCRIPT = join(PROXIES, 'plain-http-proxy.js');
export const UNDICI_PROXY_SCRIPT = join(PROXIES, 'plain-undici-proxy.js');
export const TCP_RELAY_SCRIPT = join(PROXIES, 'plain-tcp-relay.js');
