import type { IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { httpProbe } from '../../../src/proxy/http-probe';
import { ProxyHarness, localReplica } from '../support/proxy-harness';
import { closed, openSocket, readUntil, sendRaw, statuses } from '../support/raw-http';
import { scopedServers, statusAndBody, waitUntil } from '../support/scoped-servers';

/**
 * Replicas and clients that misbehave at every step of an exchange. The
 * process must never die, nothing may be left counted, open or waiting, and
 * what the client and the metrics see must say who failed.
 */

const { upstream, rawReplica, proxy } = scopedServers();
const body = statusAndBody;

const GET = 'GET / HTTP/1.1\r\nHost: shop\r\nConnection: close\r\n\r\n';
const HANDSHAKE =
  'GET /ws HTTP/1.1\r\nHost: shop\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n';

async function requestCounts(lb: ProxyHarness): Promise<string[]> {
  const text = await lb.stack.metrics.registry.metrics();
  return text.split('\n').filter((l) => /^compose_lb_(requests|upstream_errors)_total\{/.test(l));
}

describe('a replica that breaks HTTP', () => {
  it.each(['000', '099', '600'])(
    'answers 502 to status %s (RFC 9110 section 15) and does not crash',
    async (code) => {
      const bad = await rawReplica((s) => s.end(`HTTP/1.1 ${code} Odd\r\nContent-Length: 2\r\n\r\nok`));
      const lb = await proxy([localReplica(bad.port)]);
      // Node's writeHead throws on a status below 100: from a 'response' listener, that killed the process.
      expect(statuses(await sendRaw(lb.port, GET))).toEqual([502]);
      expect(statuses(await sendRaw(lb.port, GET))).toEqual([502]);
      expect(lb.replicas.all()[0]!.inflight).toBe(0);
    },
  );

  it('forwards a response whose reason phrase has control characters, with a reason of its own', async () => {
    const odd = await rawReplica((s) => s.end('HTTP/1.1 200 O\x01K\x7f\r\nContent-Length: 2\r\n\r\nok'));
    const lb = await proxy([localReplica(odd.port)]);
    const answer = await sendRaw(lb.port, GET);
    expect(answer).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(answer.endsWith('\r\n\r\nok')).toBe(true);
  });

  it('answers 502 at once when a replica switches protocols on a request that did not ask to', async () => {
    const switcher = await rawReplica((s) =>
      s.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n'),
    );
    const lb = await proxy([localReplica(switcher.port)]);
    // Node closes such a request with neither 'response' nor 'error': the client used to wait for its own timeout.
    expect(statuses(await sendRaw(lb.port, GET))).toEqual([502]);
    expect(switcher.heads).toHaveLength(1);
    expect(lb.replicas.all()[0]!.inflight).toBe(0);
  });

  it.each([
    ['a 204', 'GET', 'HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\nhello', 204],
    ['a 304', 'GET', 'HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\nhello', 304],
    ['a HEAD response', 'HEAD', 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello', 200],
  ])('delivers %s that the replica follows with a body, and does not reuse that connection', async (_what, method, bad, status) => {
    const sloppy = await rawReplica((s, _head, i) =>
      s.write(i === 0 ? bad : 'HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nnext'),
    );
    const lb = await proxy([localReplica(sloppy.port)]);
    const first = await sendRaw(lb.port, `${method} / HTTP/1.1\r\nHost: shop\r\nConnection: close\r\n\r\n`);
    expect(statuses(first)).toEqual([status]);
    expect(first).not.toContain('hello');
    // The stray bytes are not read as the answer to the next request.
    expect(await body(lb.url)).toBe('200 next');
  });

  it('counts a replica dying mid-body as its failure, not as the client going away', async () => {
    const dying = await rawReplica((s) => s.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc'));
    const lb = await proxy([localReplica(dying.port)], { accessLog: 'true' });
    const client = await openSocket(lb.port);
    client.write(GET);
    await readUntil(client, 'abc');
    for (const socket of dying.sockets) socket.resetAndDestroy();
    await closed(client);
    await waitUntil(() => lb.stack.proxy.openConnections === 0);
    expect(await requestCounts(lb)).toEqual([
      'compose_lb_requests_total{service="web",code="200"} 1',
      'compose_lb_upstream_errors_total{service="web",kind="reset"} 1',
    ]);
    expect(lb.logs.find((l) => l.msg === 'request')).toMatchObject({ status: 200 });
  });
});

describe('retries', () => {
  it('retries a GET with "//" in its path after a broken connection', async () => {
    const dropper = await upstream('dropper', (req) => req.socket.destroy());
    const good = await upstream('good');
    const lb = await proxy([localReplica(dropper.port), localReplica(good.port)]);
    expect(statuses(await sendRaw(lb.port, 'GET //a HTTP/1.1\r\nHost: shop\r\nConnection: close\r\n\r\n'))).toEqual([200]);
    expect(dropper.seen.map((r) => r.url)).toEqual(['//a']);
    expect(good.seen.map((r) => r.url)).toEqual(['//a']);
  });

  it('leaves no more listeners on the client request after trying a dozen replicas than after one', async () => {
    const good = await upstream('good');
    const crashed = await Promise.all(Array.from({ length: 12 }, (_, i) => upstream(`crashed-${i}`)));
    const requests: IncomingMessage[] = [];
    const counts = (req: IncomingMessage): number[] =>
      ['error', 'aborted', 'data', 'end', 'close'].map((event) => req.listenerCount(event));
    const direct = await proxy([localReplica(good.port)]);
    direct.stack.proxy.server.on('request', (req: IncomingMessage) => requests.push(req));
    expect(await body(direct.url, { method: 'POST', body: 'x' })).toBe('200 good');
    const lb = await proxy([...crashed.map((s) => localReplica(s.port)), localReplica(good.port)]);
    // Their processes die, their containers live on: every try is refused.
    await Promise.all(crashed.map((s) => s.close()));
    lb.stack.proxy.server.on('request', (req: IncomingMessage) => requests.push(req));
    expect(await body(lb.url, { method: 'POST', body: 'x' })).toBe('200 good');
    // Listeners added per try would grow with the tries; past ten, Node warns of a leak.
    expect(counts(requests[1]!)).toEqual(counts(requests[0]!));
  });
});

describe('the queue for a replica at its connection limit', () => {
  it('withdraws a request whose client left while it waited, and keeps the connection for the next', async () => {
    const release: Array<() => void> = [];
    const replica = await upstream('r', (req, res) => {
      if (req.url === '/hold') release.push(() => res.end('held'));
      else res.end(req.url);
    });
    let connections = 0;
    replica.server.on('connection', () => connections++);
    const lb = await proxy([localReplica(replica.port)], { maxConnsPerReplica: '1' });
    await waitUntil(() => connections === 1);
    connections = 0; // the connection that let it into rotation
    const backend = lb.replicas.all()[0]!;
    const held = body(`${lb.url}/hold`);
    await waitUntil(() => replica.seen.length === 1);

    const client = await openSocket(lb.port);
    client.write('GET /queued HTTP/1.1\r\nHost: shop\r\n\r\n');
    await waitUntil(() => backend.inflight === 2);
    client.destroy();
    await waitUntil(() => backend.inflight === 1);

    release.shift()!();
    expect(await held).toBe('200 held');
    expect(await body(`${lb.url}/next`)).toBe('200 /next');
    expect(replica.seen.map((r) => r.url)).toEqual(['/hold', '/next']);
    // The withdrawn request did not cost the pool its kept-alive connection.
    expect(connections).toBe(1);
  });
});

describe('timeouts', () => {
  it('lets a client upload for longer than the response timeout', async () => {
    const echo = await upstream('echo', (_req, res, text) => res.end(`got ${text}`));
    const lb = await proxy([localReplica(echo.port)], { responseTimeout: '100ms' });
    const client = await openSocket(lb.port);
    client.write('POST /up HTTP/1.1\r\nHost: shop\r\nContent-Length: 3\r\nConnection: close\r\n\r\na');
    // A slow client, not a slow replica: time has to pass here.
    for (const part of ['b', 'c']) {
      await delay(70);
      client.write(part);
    }
    expect(statuses(await readUntil(client, 'got abc'))).toEqual([200]);
  });

  it('answers 504 when a replica stops reading an upload', async () => {
    const stuck = await rawReplica((s) => s.pause());
    const lb = await proxy([localReplica(stuck.port)], { responseTimeout: '100ms' });
    const client = await openSocket(lb.port);
    client.on('error', () => {});
    client.write(`PUT /big HTTP/1.1\r\nHost: shop\r\nContent-Length: ${32 << 20}\r\n\r\n`);
    // More than the sockets between here and the replica buffer, so the balancer is left waiting on the replica.
    client.write(Buffer.alloc(8 << 20, 'x'));
    expect(statuses(await readUntil(client, '\r\n\r\n'))).toEqual([504]);
    client.destroy();
  });

  it('still answers 504 when a replica reads the whole request body and then says nothing', async () => {
    const silent = await upstream('silent', () => {});
    const lb = await proxy([localReplica(silent.port)], { responseTimeout: '100ms' });
    expect(await body(lb.url, { method: 'POST', body: 'payload' })).toBe('504 replica timed out\n');
    expect(silent.seen.map((r) => r.body)).toEqual(['payload']);
  });
});

describe('client connections', () => {
  it('closes the connection when the replica answered before the request body was all received', async () => {
    const early = await rawReplica((s) =>
      s.end('HTTP/1.1 413 Payload Too Large\r\nContent-Length: 3\r\nConnection: close\r\n\r\nbig'),
    );
    const lb = await proxy([localReplica(early.port)]);
    const client = await openSocket(lb.port);
    client.on('error', () => {});
    client.write(`POST /upload HTTP/1.1\r\nHost: shop\r\nContent-Length: 100000\r\n\r\n${'x'.repeat(1000)}`);
    const answer = await readUntil(client, 'big');
    expect(statuses(answer)).toEqual([413]);
    // The rest of the body may never be read: kept alive, the connection would stall for the client's timeout.
    expect(answer.toLowerCase()).toContain('connection: close');
    await closed(client);
  });

  it('counts requests refused before forwarding in the metrics and the access log', async () => {
    const lb = await proxy([], { accessLog: 'true' });
    expect(statuses(await sendRaw(lb.port, 'GET /x HTTP/1.1\r\nHost: a b\r\nConnection: close\r\n\r\n'))).toEqual([400]);
    await waitUntil(() => lb.stack.proxy.openConnections === 0);
    expect(await requestCounts(lb)).toEqual(['compose_lb_requests_total{service="",code="400"} 1']);
    expect(lb.logs.find((l) => l.msg === 'request')).toMatchObject({ method: 'GET', url: '/x', status: 400 });
  });
});

describe('graceful shutdown', () => {
  it('sends "Connection: close" on responses still to come when it starts (RFC 9112 section 9.6)', async () => {
    const release: Array<() => void> = [];
    const slow = await upstream('slow', (_req, res) => release.push(() => res.end('done')));
    const lb = await ProxyHarness.start([localReplica(slow.port)]);
    const client = await openSocket(lb.port);
    client.write('GET / HTTP/1.1\r\nHost: shop\r\n\r\n');
    await waitUntil(() => slow.seen.length === 1);
    const stopped = lb.stack.proxy.shutdown(5_000);
    release.shift()!();
    // Announced as kept alive and then closed, the connection would race the client's next request.
    expect((await readUntil(client, 'done')).toLowerCase()).toContain('connection: close');
    expect(await stopped).toBe(0);
    await closed(client);
    await lb.close();
  });
});

describe('websockets', () => {
  it('passes on a refused handshake with hop-by-hop headers removed and the body ended by the close', async () => {
    const refusing = await rawReplica((s) =>
      s.write('HTTP/1.1 403 Forbidden\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive\r\nX-Why: no\r\n\r\n4\r\nnope\r\n0\r\n\r\n'),
    );
    const lb = await proxy([localReplica(refusing.port)]);
    const answer = await sendRaw(lb.port, HANDSHAKE);
    const [head, rest] = answer.split('\r\n\r\n');
    expect(statuses(answer)).toEqual([403]);
    // Node decodes the chunked body: sent on under "Transfer-Encoding: chunked", the client misreads it.
    expect(head!.toLowerCase()).not.toContain('transfer-encoding');
    expect(head!.toLowerCase()).toContain('connection: close');
    expect(head!.toLowerCase()).toContain('x-why: no');
    expect(rest).toBe('nope');
  });

  it('answers 504 when the replica accepts the connection but never answers the handshake', async () => {
    const mute = await rawReplica(() => {});
    const lb = await proxy([localReplica(mute.port)], { responseTimeout: '100ms' });
    expect(statuses(await sendRaw(lb.port, HANDSHAKE))).toEqual([504]);
    await waitUntil(() => mute.sockets.size === 0);
  });

  it('closes a pending handshake on both sides when its replica is removed', async () => {
    const mute = await rawReplica(() => {});
    const lb = await proxy([localReplica(mute.port)]);
    const client = await openSocket(lb.port);
    client.write(HANDSHAKE);
    await waitUntil(() => mute.heads.length === 1);
    const [replicaSocket] = mute.sockets;
    lb.setReplicas([], 'container die');
    await Promise.all([closed(client), closed(replicaSocket!)]);
  });

  it('writes no status line into an open WebSocket when the replica breaks it', async () => {
    const ws = await rawReplica((s) => s.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n'));
    const lb = await proxy([localReplica(ws.port)]);
    const client = await openSocket(lb.port);
    client.write(HANDSHAKE);
    await readUntil(client, '\r\n\r\n');
    let after = '';
    client.on('data', (c: Buffer) => (after += c.toString('latin1')));
    for (const socket of ws.sockets) socket.resetAndDestroy();
    await closed(client);
    expect(after).toBe('');
  });

  it('refuses an upgrade request that carries a body (RFC 9110 section 9.3.1)', async () => {
    const ws = await rawReplica((s) => s.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n'));
    const lb = await proxy([localReplica(ws.port)]);
    const withBody = HANDSHAKE.replace('\r\n\r\n', '\r\nContent-Length: 5\r\n\r\nhello');
    expect(statuses(await sendRaw(lb.port, withBody))).toEqual([400]);
    const chunked = HANDSHAKE.replace('\r\n\r\n', '\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n');
    expect(statuses(await sendRaw(lb.port, chunked))).toEqual([400]);
    expect(ws.heads).toEqual([]);
  });

  it('closes a refused upgrade even when the client keeps its half of the connection open', async () => {
    const lb = await proxy([]);
    const client = connect({ port: lb.port, host: '127.0.0.1', allowHalfOpen: true });
    client.on('error', () => {});
    client.write(HANDSHAKE);
    expect(statuses(await readUntil(client, '\r\n\r\n'))).toEqual([503]);
    await waitUntil(() => lb.stack.proxy.openConnections === 0);
    client.destroy();
  });
});

describe('health probes', () => {
  it('fail a replica whose answer takes longer than the timeout, however it trickles in', async () => {
    const answer = 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n';
    const trickler = await rawReplica((s) => {
      let sent = 0;
      const timer = setInterval(() => {
        if (s.destroyed || sent === answer.length) clearInterval(timer);
        else s.write(answer[sent++]!);
      }, 20);
    });
    const verdict = await httpProbe(localReplica(trickler.port), '/health', 100);
    expect(verdict).toBe('GET /health failed: no answer within 100 ms');
  });

  it('do not keep a connection open after the timeout when the body never ends', async () => {
    let stream: Socket | undefined;
    const endless = await rawReplica((s) => {
      stream = s;
      s.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n');
      const timer = setInterval(() => (s.destroyed ? clearInterval(timer) : s.write('1\r\nx\r\n')), 10);
    });
    expect(await httpProbe(localReplica(endless.port), '/health', 100)).toBeUndefined();
    await closed(stream!);
  });
});
