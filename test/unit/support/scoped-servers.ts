import { ProxyHarness } from './proxy-harness';
import { RawReplica, type RawAnswer } from './raw-replica';
import { UpstreamServer } from './upstream-server';

/**
 * Test replicas and proxies that are closed after each test, newest first.
 * Call once at the top of a test file (it registers an afterEach).
 */
export function scopedServers() {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  const own = <T extends { close(): Promise<void> }>(server: T): T => {
    cleanups.push(() => server.close());
    return server;
  };
  return {
    upstream: async (...args: Parameters<typeof UpstreamServer.start>) => own(await UpstreamServer.start(...args)),
    rawReplica: async (answer: RawAnswer) => own(await RawReplica.start(answer)),
    proxy: async (...args: Parameters<typeof ProxyHarness.start>) => own(await ProxyHarness.start(...args)),
  };
}

/** GET (or `init`) a URL; "status body", for one-line expectations. */
export async function statusAndBody(url: string, init?: RequestInit): Promise<string> {
  const res = await fetch(url, init);
  return `${res.status} ${await res.text()}`;
}

/** Polls a condition on the next turns of the event loop (for conditions that change within milliseconds). */
export async function waitUntil(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}
