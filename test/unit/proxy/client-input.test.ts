import { once } from 'node:events';
import type { Socket } from 'node:net';
import { ProxyHarness, localReplica } from '../support/proxy-harness';
import { closed, openSocket, readUntil, sendRaw, statuses } from '../support/raw-http';
import { UpstreamServer } from '../support/upstream-server';

/**
 * Bad or hostile clients, sent as raw bytes: each is refused (or contained),
 * the replica never sees a request it could read differently, and the
 * balancer keeps serving everyone else.
 */

let upstream: UpstreamServer;
let lb: ProxyHarness;

beforeEach(async () => {
  upstream = await UpstreamServer.start('r');
  lb = await ProxyHarness.start([localReplica(upstream.port)], {
    clientHeadersTimeout: '300ms',
    clientRequestTimeout: '600ms',
  });
});

afterEach(async () => {
  await lb.close();
  await upstream.close();
});

async function stillServes(): Promise<void> {
  const res = await fetch(`${lb.url}/ok`);
  expect(res.status).toBe(200);
  expect(await res.text()).toBe('r');
}

const GOOD_END = 'Host: shop\r\nConnection: close\r\n\r\n';

describe.each<[string, string, number]>([
  ['a malformed request line', 'GARBAGE\r\n\r\n', 400],
  ['an unknown HTTP version', `GET / HTTP/9.9\r\n${GOOD_END}`, 400],
  ['a header name with a space', `GET / HTTP/1.1\r\nBad Header: x\r\n${GOOD_END}`, 400],
  ['a control character in a header value', `GET / HTTP/1.1\r\nX-A: a\x01b\r\n${GOOD_END}`, 400],
  ['an obsolete folded header line', `GET / HTTP/1.1\r\nX-A: a\r\n  folded\r\n${GOOD_END}`, 400],
  ['a header block over the limit', `GET / HTTP/1.1\r\nX-Big: ${'a'.repeat(20_000)}\r\n${GOOD_END}`, 431],
  ['no Host header', 'GET / HTTP/1.1\r\nConnection: close\r\n\r\n', 400],
  ['two Host headers', `GET / HTTP/1.1\r\nHost: a\r\n${GOOD_END}`, 400],
  ['a Host with a space', 'GET / HTTP/1.1\r\nHost: a b\r\nConnection: close\r\n\r\n', 400],
  ['an absolute-form target naming another host', `GET http://elsewhere/ HTTP/1.1\r\n${GOOD_END}`, 400],
  [
    'Content-Length with Transfer-Encoding',
    `POST / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n${GOOD_END}0\r\n\r\n`,
    400,
  ],
  ['two different Content-Lengths', `POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n${GOOD_END}ab`, 400],
  ['Transfer-Encoding: chunked, chunked', `POST / HTTP/1.1\r\nTransfer-Encoding: chunked, chunked\r\n${GOOD_END}0\r\n\r\n`, 400],
  ['Transfer-Encoding: gzip', `POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n${GOOD_END}`, 400],
  ['Transfer-Encoding: gzip, chunked', `POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n${GOOD_END}0\r\n\r\n`, 400],
  [
    'two Transfer-Encoding headers',
    `POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n${GOOD_END}0\r\n\r\n`,
    400,
  ],
])('a request with %s', (_what, bytes, status) => {
  it(`is answered ${status}, never reaches the replica, and the balancer carries on`, async () => {
    expect(statuses(await sendRaw(lb.port, bytes))).toEqual([status]);
    expect(upstream.seen).toEqual([]);
    await stillServes();
  });
});

describe('requests that are fine but unusual', () => {
  it('forwards a Host pointing anywhere without using it to choose where to connect', async () => {
    const raw = await sendRaw(lb.port, 'GET /meta HTTP/1.1\r\nHost: 169.254.169.254\r\nConnection: close\r\n\r\n');
    expect(statuses(raw)).toEqual([200]);
    expect(upstream.seen[0]).toMatchObject({ url: '/meta', headers: { host: '169.254.169.254' } });
  });

  it('forwards a chunked request body as a body', async () => {
    const raw = await sendRaw(
      lb.port,
      `POST /up HTTP/1.1\r\nTransfer-Encoding: chunked\r\n${GOOD_END}5\r\nhello\r\n0\r\n\r\n`,
    );
    expect(statuses(raw)).toEqual([200]);
    expect(upstream.seen[0]).toMatchObject({ method: 'POST', body: 'hello' });
  });
});

describe('slow and vanishing clients', () => {
  it('answers 408 to a client that never finishes its headers (slowloris)', async () => {
    const socket = await openSocket(lb.port);
    socket.write('GET / HTTP/1.1\r\nHost: shop\r\nX-Slow: ');
    const answer = await readUntil(socket, '\r\n\r\n');
    expect(statuses(answer)).toEqual([408]);
    await once(socket, 'close');
    await stillServes();
  });

  it('releases the replica connection when a client vanishes mid-upload', async () => {
    const client = await openSocket(lb.port);
    client.write(`POST /upload HTTP/1.1\r\nHost: shop\r\nContent-Length: 1000000\r\n\r\n${'x'.repeat(1000)}`);
    const [replicaSocket] = (await once(upstream.server, 'connection')) as [Socket];
    const replicaClosed = closed(replicaSocket);
    client.destroy();
    // The replica's parser reports the cut-off body as an error; the connection closing is what counts.
    await replicaClosed;
    expect(lb.replicas.all()[0]?.inflight).toBe(0);
    await stillServes();
  });

  it('releases the replica connection when a client vanishes mid-download', async () => {
    await upstream.close();
    let replicaResponseClosed: Promise<unknown> = Promise.resolve();
    upstream = await UpstreamServer.start('r', (req, res) => {
      if (req.url !== '/download') return void res.end('r');
      replicaResponseClosed = once(res, 'close');
      res.writeHead(200);
      res.write('x'.repeat(64 * 1024)); // and never ends
    });
    lb.setReplicas([localReplica(upstream.port)]);
    const client = await openSocket(lb.port);
    client.write('GET /download HTTP/1.1\r\nHost: shop\r\n\r\n');
    await readUntil(client, 'xxxx');
    client.destroy();
    await replicaResponseClosed;
    await stillServes();
  });
});
