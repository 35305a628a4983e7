import { join, resolve } from 'node:path';

/**
 * The checkout's root. This file is bundled into dist/bench.js, and both
 * dist/ and bench/ sit directly under the root, so one level up is right for both.
 */
export const ROOT = resolve(__dirname, '..');
export const BALANCER_BUNDLE = join(ROOT, 'dist', 'compose-lb.js');
export const PLAIN_PROXY_SCRIPT = join(ROOT, 'test', 'fixtures', 'proxies', 'plain-http-proxy.js');
