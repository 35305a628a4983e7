import { connect } from 'node:net';
import { ProxyHarness, localReplica } from '../support/proxy-harness';
import { closed, openSocket, readUntil, sendRaw, statuses } from '../support/raw-http';
import { scopedServers, statusAndBody, waitUntil } from '../support/scoped-servers';
import { UpstreamServer, closedPort } from '../support/upstream-server';

/** Passive and active health, limits, WebSockets and graceful shutdown, in one process. */

const { upstream, proxy } = scopedServers();
const body = statusAndBody;

describe('passive health', () => {
  it('ejects a replica after failed connections in a row, and not the last one', async () => {
    const crashed = await upstream('crashed');
    const good = await upstream('good');
    const lb = await proxy([localReplica(crashed.port), localReplica(good.port)], {
      ejectAfter: '2',
      ejectTime: '1m',
      ejectMaxTime: '1m',
    });
    // Its process dies, its container lives on (a supervisor restarting it, say): Docker says nothing.
    await crashed.close();
    // Every request still succeeds: the refused connections are retried on the good replica.
    for (let i = 0; i < 6; i++) expect(await body(`${lb.url}/`)).toBe('200 good');
    const states = lb.replicas.all().map((b) => b.state(Date.now()));
    expect(states).toEqual(['ejected', 'ready']);
    expect(lb.logs.filter((l) => l.msg === 'replica ejected after failed connections')).toHaveLength(1);
    // Ejected, it is no longer tried: the good replica serves everything.
    const before = good.seen.length;
    for (let i = 0; i < 4; i++) await body(`${lb.url}/`);
    expect(good.seen.length - before).toBe(4);
    expect(lb.logs.filter((l) => l.msg === 'replica failed; retrying on another')).toHaveLength(2);
  });

  it('never ejects every replica at once when requests are not held', async () => {
    const crashed = await upstream('crashed');
    const lb = await proxy([localReplica(crashed.port)], { ejectAfter: '1', holdTimeout: '0' });
    await crashed.close();
    for (let i = 0; i < 3; i++) expect(await body(`${lb.url}/`)).toBe('502 no replica of service "web" could answer\n');
    expect(lb.replicas.all().map((b) => b.state(Date.now()))).toEqual(['ready']);
  });
});

describe('active health', () => {
  it('keeps replicas failing their probe out of rotation, and takes them back when they pass', async () => {
    let healthy = true;
    const flaky = await upstream('flaky', (req, res) => {
      if (req.url === '/health') res.writeHead(healthy ? 200 : 503);
      res.end('flaky');
    });
    const steady = await upstream('steady');
    const lb = await proxy([localReplica(flaky.port), localReplica(steady.port)], {
      healthPath: '/health',
      healthInterval: '20ms',
    });
    const ready = (): string[] => lb.replicas.candidates().map((b) => String(b.replica.port));
    await waitUntil(() => ready().length === 2);
    healthy = false;
    await waitUntil(() => ready().length === 1);
    expect(ready()).toEqual([String(steady.port)]);
    for (let i = 0; i < 4; i++) expect(await body(`${lb.url}/`)).toBe('200 steady');
    healthy = true;
    await waitUntil(() => ready().length === 2);
    expect(lb.logs.map((l) => l.msg)).toEqual(
      expect.arrayContaining(['replica failed its health probe', 'replica passes its health probe again']),
    );
  });

  it('gives a new replica traffic only after its first probe passes', async () => {
    const never = await upstream('never', (_req, res) => {
      res.writeHead(500);
      res.end();
    });
    const lb = await proxy([localReplica(never.port)], { healthPath: '/health', healthInterval: '1m', holdTimeout: '0' });
    await waitUntil(() => never.seen.some((r) => r.url === '/health'));
    expect(await body(`${lb.url}/`)).toBe('503 no replica of service "web" is available\n');
  });

  it('probes a replica that starts before it listens once it listens, not a whole interval later', async () => {
    const port = await closedPort();
    const lb = await proxy([localReplica(port)], { healthPath: '/health', healthInterval: '1m' }, { waitForReplicas: false });
    const answer = body(`${lb.url}/`);
    await waitUntil(() => lb.logs.some((l) => l.msg === 'no replica is ready: holding requests'));
    const late = await upstream('late', undefined, port);
    // A probe sent before it listened would have failed and kept it out for the interval (a minute).
    expect(await answer).toBe('200 late');
    expect(late.seen.map((r) => r.url)).toEqual(['/health', '/']);
  });
});


describe('limits', () => {
  it('answers 503 beyond the limit of requests in progress', async () => {
    const hanging = await upstream('hanging', () => {});
    const lb = await proxy([localReplica(hanging.port)], { maxRequests: '2' });
    const held = [await openSocket(lb.port), await openSocket(lb.port)];
    for (const s of held) s.write('GET / HTTP/1.1\r\nHost: shop\r\n\r\n');
    await waitUntil(() => hanging.seen.length === 2);
    const third = await sendRaw(lb.port, 'GET / HTTP/1.1\r\nHost: shop\r\nConnection: close\r\n\r\n');
    expect(statuses(third)).toEqual([503]);
    expect(third).toContain('overloaded');
    for (const s of held) s.destroy();
  });

  it('closes connections beyond the connection limit on accept', async () => {
    const lb = await proxy([], { maxConnections: '1', holdTimeout: '0' });
    const first = await openSocket(lb.port);
    const second = connect(lb.port, '127.0.0.1');
    await closed(second);
    first.write('GET / HTTP/1.1\r\nHost: shop\r\nConnection: close\r\n\r\n');
    expect(await readUntil(first, '\r\n\r\n')).toMatch(/^HTTP\/1\.1 503/);
    first.destroy();
  });

  it('queues requests over the per-replica connection limit instead of opening more', async () => {
    const release: Array<() => void> = [];
    const slow = await upstream('slow', (_req, res) => release.push(() => res.end('slow')));
    const lb = await proxy([localReplica(slow.port)], { maxConnsPerReplica: '1' });
    const answers = Promise.all([body(`${lb.url}/1`), body(`${lb.url}/2`)]);
    await waitUntil(() => slow.seen.length === 1);
    expect(slow.sockets.size).toBe(1);
    release.shift()?.();
    await waitUntil(() => slow.seen.length === 2);
    release.shift()?.();
    expect(await answers).toEqual(['200 slow', '200 slow']);
    expect(slow.sockets.size).toBe(1);
  });

  it('sends requests still queued for a removed replica to another one, not to its old address', async () => {
    const release: Array<() => void> = [];
    const leaving = await upstream('leaving', (_req, res) => release.push(() => res.end('leaving')));
    const staying = await upstream('staying');
    const replicas = [localReplica(leaving.port), localReplica(staying.port)];
    const lb = await proxy([replicas[0]!], { maxConnsPerReplica: '1' });
    const first = body(`${lb.url}/1`);
    await waitUntil(() => leaving.seen.length === 1);
    const queued = body(`${lb.url}/2`);
    await waitUntil(() => lb.replicas.all()[0]!.inflight === 2);
    lb.setReplicas([replicas[1]!], 'container die');
    expect(await queued).toBe('200 staying');
    expect(leaving.seen.map((r) => r.url)).toEqual(['/1']);
    release.shift()?.();
    await first.catch(() => undefined);
  });
});

describe('websockets', () => {
  async function echoUpstream(): Promise<UpstreamServer> {
    const server = await upstream('ws');
    server.server.on('upgrade', (_req, socket) => {
      socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
      socket.pipe(socket);
    });
    return server;
  }

  const HANDSHAKE =
    'GET /ws HTTP/1.1\r\nHost: shop\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n';

  it('proxies the upgrade and the bytes after it, and closes the sockets when the replica goes', async () => {
    const ws = await echoUpstream();
    const replica = localReplica(ws.port);
    const lb = await proxy([replica]);
    const clients = await Promise.all(Array.from({ length: 10 }, () => openSocket(lb.port)));
    for (const c of clients) c.write(HANDSHAKE);
    for (const c of clients) await readUntil(c, '\r\n\r\n');
    clients[0]!.write('ping');
    await readUntil(clients[0]!, 'ping');
    expect(lb.replicas.all()[0]!.resources.openWebSockets).toBe(10);

    lb.setReplicas([], 'container die');
    await Promise.all(clients.map(closed));
    expect(lb.stack.proxy.openConnections).toBe(0);
  });

  it('answers 503 to an upgrade when there is no replica', async () => {
    const lb = await proxy([]);
    expect(statuses(await sendRaw(lb.port, HANDSHAKE))).toEqual([503]);
  });
});

describe('graceful shutdown', () => {
  it('finishes requests in flight, refuses new connections, and reports none cut off', async () => {
    const release: Array<() => void> = [];
    const slow = await upstream('slow', (_req, res) => release.push(() => res.end('done')));
    const lb = await ProxyHarness.start([localReplica(slow.port)]);
    const inFlight = [body(`${lb.url}/a`), body(`${lb.url}/b`)];
    await waitUntil(() => slow.seen.length === 2);
    const stopped = lb.stack.proxy.shutdown(5_000);
    await expect(openSocket(lb.port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    for (const r of release) r();
    expect(await Promise.all(inFlight)).toEqual(['200 done', '200 done']);
    expect(await stopped).toBe(0);
    await lb.close();
  });

  it('cuts off what is still running at the deadline', async () => {
    const hanging = await upstream('hanging', () => {});
    const lb = await ProxyHarness.start([localReplica(hanging.port)]);
    const client = await openSocket(lb.port);
    client.write('GET / HTTP/1.1\r\nHost: shop\r\n\r\n');
    await waitUntil(() => hanging.seen.length === 1);
    expect(await lb.stack.proxy.shutdown(50)).toBe(1);
    await closed(client);
    await lb.close();
  });
});
