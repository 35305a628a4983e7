import { once } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { ChildProxy } from '../support/child-proxy';
import { ProxyHarness, localReplica } from '../support/proxy-harness';
import { openSocket, readUntil, sendRaw, statuses } from '../support/raw-http';
import { UpstreamServer } from '../support/upstream-server';
import { waitUntil } from '../support/scoped-servers';

/**
 * Regression tests for the defects http-proxy 1.18.1 has when used plainly
 * (issue 4). Each sends raw bytes through compose-lb and through the plain
 * script in test/fixtures/proxies, and expects the defect on the plain one
 * only: that proves the test detects the defect, and that compose-lb has not.
 */

interface ProxyUnderTest {
  readonly port: number;
  readonly alive: boolean;
  close(): Promise<void>;
}

type Start = (upstream: UpstreamServer) => Promise<ProxyUnderTest>;

const composeLb: Start = async (upstream) => {
  const harness = await ProxyHarness.start([localReplica(upstream.port)]);
  return { port: harness.port, alive: true, close: () => harness.close() };
};
const plainHttpProxy: Start = (upstream) => ChildProxy.start('plain-http-proxy.js', [upstream.port]);

const PROXIES: Array<[string, Start, boolean]> = [
  ['compose-lb', composeLb, false],
  ['plain http-proxy', plainHttpProxy, true],
];

let upstream: UpstreamServer;
let proxy: ProxyUnderTest | undefined;

afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
  await upstream.close();
});



describe.each(PROXIES)('%s', (_name, start, defective) => {
  it(`${defective ? 'forwards' : 'does not forward'} a request smuggled in a chunked DELETE body (GHSA-ggv3-7p47-pfv8)`, async () => {
    upstream = await UpstreamServer.start('r');
    proxy = await start(upstream);
    const hidden = 'GET /smuggled HTTP/1.1\r\nHost: internal\r\n\r\n';
    const body = `${hidden.length.toString(16)}\r\n${hidden}\r\n0\r\n\r\n`;
    // Keep-alive, as a real client would: the replica then reads on past the first request.
    const client = await openSocket(proxy.port);
    client.write(`DELETE /item HTTP/1.1\r\nHost: shop\r\nTransfer-Encoding: chunked\r\n\r\n${body}`);
    await readUntil(client, '0\r\n\r\n');
    // A request after it, on the same connections: a smuggled request, if any, reaches the replica first.
    client.write('GET /after HTTP/1.1\r\nHost: shop\r\n\r\n');
    await waitUntil(() => upstream.seen.some((r) => r.url === '/after'));
    client.destroy();
    expect(upstream.seen.some((r) => r.url === '/smuggled')).toBe(defective);
    if (!defective) {
      expect(upstream.seen).toEqual([
        expect.objectContaining({ method: 'DELETE', body: hidden }),
        expect.objectContaining({ method: 'GET', url: '/after' }),
      ]);
    }
  });

  it(`${defective ? 'crashes' : 'does not crash'} when a client sends a Trailer header (node-http-proxy#1647)`, async () => {
    upstream = await UpstreamServer.start('r');
    proxy = await start(upstream);
    const request = 'GET / HTTP/1.1\r\nHost: shop\r\nTrailer: X-Checksum\r\nConnection: close\r\n\r\n';
    const answer = await sendRaw(proxy.port, request).catch(() => '');
    if (defective) {
      expect(proxy instanceof ChildProxy && (await proxy.exited())).not.toBe(0);
    } else {
      expect(statuses(answer)).toEqual([200]);
      expect(statuses(await sendRaw(proxy.port, request))).toEqual([200]);
    }
    expect(proxy.alive).toBe(!defective);
  });

  it(`${defective ? 'keeps' : 'closes'} replica requests whose clients went away`, async () => {
    upstream = await UpstreamServer.start('r', () => {});
    proxy = await start(upstream);
    const clients = await Promise.all(Array.from({ length: 20 }, () => openSocket(proxy!.port)));
    for (const c of clients) c.write('GET /slow HTTP/1.1\r\nHost: shop\r\n\r\n');
    await waitUntil(() => upstream.seen.length === 20);
    expect(upstream.sockets.size).toBe(20);
    const replicaSockets = [...upstream.sockets];
    const closed = replicaSockets.map((s) => once(s, 'close'));
    // Gone for sure: a reset. (A FIN alone may be a half-close, which compose-lb answers, as HAProxy does.)
    for (const c of clients) c.resetAndDestroy();
    await Promise.race([Promise.all(closed), delay(1_000)]);
    const stillOpen = replicaSockets.filter((s) => !s.destroyed).length;
    expect(stillOpen).toBe(defective ? 20 : 0);
  });

  it(`${defective ? 'forwards' : 'drops'} hop-by-hop headers (RFC 9110 section 7.6.1)`, async () => {
    upstream = await UpstreamServer.start('r');
    proxy = await start(upstream);
    await sendRaw(
      proxy.port,
      'GET / HTTP/1.1\r\nHost: shop\r\nConnection: close, X-Hop\r\nX-Hop: 1\r\nKeep-Alive: timeout=99\r\n' +
        'Proxy-Authorization: Basic c2VjcmV0\r\nTE: trailers\r\nUpgrade: h2c\r\nX-Kept: yes\r\n\r\n',
    );
    const headers = upstream.seen[0]?.headers ?? {};
    const hop = ['x-hop', 'keep-alive', 'proxy-authorization', 'te', 'upgrade'].filter((h) => h in headers);
    expect(hop.length > 0).toBe(defective);
    expect(headers['x-kept']).toBe('yes');
  });

  it(`${defective ? 'keeps' : 'replaces'} a client-sent X-Forwarded-For as the first hop`, async () => {
    upstream = await UpstreamServer.start('r');
    proxy = await start(upstream);
    await sendRaw(proxy.port, 'GET / HTTP/1.1\r\nHost: shop\r\nX-Forwarded-For: 6.6.6.6\r\nConnection: close\r\n\r\n');
    const forwardedFor = String(upstream.seen[0]?.headers['x-forwarded-for']);
    expect(forwardedFor.includes('6.6.6.6')).toBe(defective);
    if (!defective) expect(forwardedFor).toBe('127.0.0.1');
  });
});

describe('compose-lb with a trusted proxy in front', () => {
  it('extends X-Forwarded-For from a trusted hop instead of replacing it', async () => {
    upstream = await UpstreamServer.start('r');
    const harness = await ProxyHarness.start([localReplica(upstream.port)], { trustedProxies: '127.0.0.0/8' });
    proxy = { port: harness.port, alive: true, close: () => harness.close() };
    await sendRaw(
      proxy.port,
      'GET / HTTP/1.1\r\nHost: shop\r\nX-Forwarded-For: 203.0.113.7\r\nX-Forwarded-Proto: https\r\nConnection: close\r\n\r\n',
    );
    expect(upstream.seen[0]?.headers).toMatchObject({
      'x-forwarded-for': '203.0.113.7, 127.0.0.1',
      'x-forwarded-proto': 'https',
    });
  });
});
