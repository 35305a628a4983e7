import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import type { RawOptions } from '../../../src/config';
import { SimpleResponse } from '../../../src/proxy/client/simple-response';
import { localReplica, type ProxyHarness } from '../support/proxy-harness';
import { ResponseReader, within } from '../support/client-responses';
import { closed, openSocket } from '../support/raw-http';
import { scopedServers, waitUntil } from '../support/scoped-servers';
import { closedPort } from '../support/upstream-server';

/**
 * The simple path (src/proxy/client/) through a real balancer and raw
 * sockets: a GET or HEAD read and answered without Node's HTTP server must
 * get the very bytes Node's server would have sent, and the connection must
 * live and end as it would under Node's server (pipelining, hand-off to Node,
 * half-close, keep-alive, a client that leaves, shutdown, back-pressure).
 */

const sockets: Socket[] = [];
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.destroy();
  jest.restoreAllMocks();
});
const { upstream, rawReplica, proxy } = scopedServers();

/** A client connection, destroyed after the test. */
async function client(lb: ProxyHarness): Promise<Socket> {
  const socket = await openSocket(lb.port);
  sockets.push(socket);
  return socket;
}

/** A request head as a client writes it, with `extra` header lines before the empty line. */
function request(method: string, target: string, ...extra: string[]): string {
  return [`${method} ${target} HTTP/1.1`, 'Host: shop', 'User-Agent: raw-test', 'Accept: */*', ...extra, '', ''].join('\r\n');
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Which path the balancer's requests took: `onSimpleRequest` is the simple path's way in,
 * `handOff` gives a connection to Node's HTTP server (both are ProxyServer's ClientConnectionHost methods).
 */
function watchPaths(lb: ProxyHarness) {
  const simple = jest.spyOn(lb.stack.proxy, 'onSimpleRequest');
  const handOff = jest.spyOn(lb.stack.proxy, 'handOff');
  return {
    simple: () => simple.mock.calls.length,
    handOffs: () => handOff.mock.calls.length,
  };
}
type Paths = ReturnType<typeof watchPaths>;
type Path = 'simple' | 'node';

/**
 * Writes a request so that it takes `path`. The simple path reads only a head that is all in hand
 * (readSimpleRequest returns undefined without its final CRLFCRLF), and ClientConnection.read() gives
 * the connection to Node's server at the first request it cannot read: so a request line sent alone
 * takes the connection to Node, and the rest of the head follows once it is there.
 */
async function write(socket: Socket, text: string, path: Path, paths: Paths): Promise<void> {
  if (path === 'simple') {
    socket.write(text);
    return;
  }
  const handOffs = paths.handOffs();
  const split = text.indexOf('\r\n') + 2;
  socket.write(text.slice(0, split));
  await waitUntil(() => paths.handOffs() > handOffs);
  socket.write(text.slice(split));
}

/** The Date the balancer stamps (now, give or take) as `<now>`; a replica's own Date is kept. */
function dateless(text: string): string {
  return text.replace(/\r\nDate: ([^\r]*)\r\n/g, (line, value: string) =>
    Math.abs(Date.parse(value) - Date.now()) < 60_000 ? '\r\nDate: <now>\r\n' : line,
  );
}

const FOLLOW_UP = request('GET', '/length', 'Connection: close');

/** One request on a new connection, and what became of the connection after its response. */
async function answer(lb: ProxyHarness, paths: Paths, path: Path, text: string, replicaHeads: () => readonly string[]) {
  const before = { simple: paths.simple(), handOffs: paths.handOffs(), heads: replicaHeads().length };
  const socket = await client(lb);
  const reader = new ResponseReader(socket);
  await write(socket, text, path, paths);
  const res = await reader.next(text.startsWith('HEAD'));
  const took = { simple: paths.simple() - before.simple, handOffs: paths.handOffs() - before.handOffs };
  const replicaSaw = replicaHeads().slice(before.heads);
  let afterwards: string;
  if (/\r\nConnection: close\r\n/i.test(res.head)) {
    afterwards = `closed by the balancer, after ${JSON.stringify(await within(2_000, 'close', reader.rest()))}`;
  } else {
    socket.write(FOLLOW_UP);
    afterwards = `open: a second request got ${(await reader.next()).status}`;
    await within(2_000, 'close after a request with Connection: close', reader.rest());
  }
  return { took, outcome: { response: dateless(res.text), afterwards, replicaSaw } };
}

// ---- 1. The same bytes as Node's server ------------------------------------------------------------

/** What the raw replica sends for each path: exact bytes, in one write, so both runs relay them alike. */
const REPLICA_ANSWERS: Record<string, string> = {
  '/length':
    'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nContent-Length: 5\r\n\r\nhello',
  '/dated': 'HTTP/1.1 200 Fine\r\nDate: Tue, 01 Jan 2030 00:00:00 GMT\r\nContent-Length: 2\r\n\r\nok',
  '/chunked': 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n',
  '/until-close': 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nhello',
  '/no-content': 'HTTP/1.1 204 No Content\r\nX-Trace: 1\r\n\r\n',
  '/not-modified': 'HTTP/1.1 304 Not Modified\r\nETag: "v1"\r\nCache-Control: max-age=60\r\nContent-Length: 5\r\n\r\n',
};

async function rawAnswering() {
  return rawReplica((socket, head) => {
    const [method, target] = head.split(' ');
    const whole = REPLICA_ANSWERS[target ?? ''] ?? 'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n';
    socket.write(method === 'HEAD' ? whole.slice(0, whole.indexOf('\r\n\r\n') + 4) : whole);
    if (target === '/until-close') socket.end();
  });
}

describe('the simple path answers with the bytes Node\'s server would send', () => {
  describe.each<[string, string, RegExp, RawOptions?]>([
    ['a response with Content-Length', request('GET', '/length'), /^HTTP\/1\.1 200 OK\r\n.*Content-Length: 5\r\n.*\r\n\r\nhello$/s],
    [
      'a response with its own Date and reason',
      request('GET', '/dated'),
      /^HTTP\/1\.1 200 Fine\r\nDate: Tue, 01 Jan 2030 00:00:00 GMT\r\n(?!.*Date)/s,
    ],
    ['a chunked response (chunked to the client)', request('GET', '/chunked'), /Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n$/],
    ['a close-delimited response (chunked to the client)', request('GET', '/until-close'), /Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n$/],
    ['a HEAD', request('HEAD', '/length'), /^HTTP\/1\.1 200 OK\r\n.*Content-Length: 5\r\n.*\r\n\r\n$/s],
    ['a HEAD whose GET would be chunked', request('HEAD', '/chunked'), /^HTTP\/1\.1 200 OK\r\n(?!.*Transfer-Encoding).*\r\n\r\n$/s],
    ['a 204', request('GET', '/no-content'), /^HTTP\/1\.1 204 No Content\r\nX-Trace: 1\r\n.*\r\n\r\n$/s],
    ['a 304', request('GET', '/not-modified', 'If-None-Match: "v1"'), /^HTTP\/1\.1 304 Not Modified\r\n.*\r\n\r\n$/s],
    ['Connection: close from the client', request('GET', '/length', 'Connection: close'), /\r\nConnection: close\r\n.*hello$/s],
    ['Connection: close on a chunked response', request('GET', '/chunked', 'Connection: close'), /\r\nConnection: close\r\n/],
    [
      'a response with no client keep-alive timeout',
      request('GET', '/length'),
      /\r\nConnection: keep-alive\r\n\r\nhello$/,
      { clientKeepAliveTimeout: '0' },
    ],
    [
      'a response with a client keep-alive timeout under a second',
      request('GET', '/length'),
      /\r\nConnection: keep-alive\r\nKeep-Alive: timeout=0\r\n\r\nhello$/,
      { clientKeepAliveTimeout: '900ms' },
    ],
  ])('for %s from a replica', (_what, text, expected, options = {}) => {
    it('the same response, connection outcome and forwarded request as on Node\'s path', async () => {
      const replica = await rawAnswering();
      const lb = await proxy([localReplica(replica.port)], options);
      const paths = watchPaths(lb);
      const heads = () => replica.heads;
      const node = await answer(lb, paths, 'node', text, heads);
      const simple = await answer(lb, paths, 'simple', text, heads);
      expect(node.took).toEqual({ simple: 0, handOffs: 1 });
      expect(simple.took).toEqual({ simple: 1, handOffs: 0 });
      expect(simple.outcome).toEqual(node.outcome);
      expect(simple.outcome.response).toMatch(expected);
      expect(simple.outcome.replicaSaw).toHaveLength(1);
    });
  });

  /** Two routed services, neither the default: Host shop matches no rule. */
  async function routedElsewhere(): Promise<ProxyHarness> {
    const lb = await proxy([], { services: 'web,api' });
    const route = (hosts: string[], pathPrefix?: string) => ({ route: { hosts, pathPrefix, stripPrefix: false } });
    lb.setReplicas([localReplica(await closedPort(), route(['www.localhost']))], 'initial list', 'web');
    lb.setReplicas([localReplica(await closedPort(), route([], '/api'))], 'initial list', 'api');
    return lb;
  }

  /** A replica in rotation whose process has died: its connections are refused. */
  async function deadReplica(): Promise<ProxyHarness> {
    const crashed = await upstream('crashed');
    const lb = await proxy([localReplica(crashed.port)], { holdTimeout: '0' });
    await crashed.close();
    return lb;
  }

  describe.each<[string, () => Promise<ProxyHarness>, string, RegExp]>([
    [
      'a 404 for a request no route takes',
      routedElsewhere,
      request('GET', '/length'),
      /^HTTP\/1\.1 404 Not Found\r\n.*\r\nConnection: close\r\n\r\nnot found\n$/s,
    ],
    [
      'a 502 when the replica refuses the connection',
      deadReplica,
      request('GET', '/length'),
      /^HTTP\/1\.1 502 Bad Gateway\r\n.*\r\n\r\nno replica of service "web" could answer\n$/s,
    ],
    [
      'a 503 at once when no replica is ready',
      () => proxy([], { holdTimeout: '0' }),
      request('GET', '/length'),
      /^HTTP\/1\.1 503 Service Unavailable\r\n.*\r\n\r\nno replica of service "web" is available\n$/s,
    ],
    [
      'a 503 at once to a HEAD',
      () => proxy([], { holdTimeout: '0' }),
      request('HEAD', '/length'),
      /^HTTP\/1\.1 503 Service Unavailable\r\n.*\r\n\r\n$/s,
    ],
  ])('for %s, made by the balancer', (_what, start, text, expected) => {
    it('the same response and connection outcome as on Node\'s path', async () => {
      const lb = await start();
      const paths = watchPaths(lb);
      const node = await answer(lb, paths, 'node', text, () => []);
      const simple = await answer(lb, paths, 'simple', text, () => []);
      expect(node.took).toEqual({ simple: 0, handOffs: 1 });
      expect(simple.took).toEqual({ simple: 1, handOffs: 0 });
      expect(simple.outcome).toEqual(node.outcome);
      expect(simple.outcome.response).toMatch(expected);
    });
  });
});

// ---- 2. Pipelining, and the hand-off to Node -------------------------------------------------------

/** A replica that answers "METHOD url body" (GET /1 a little late, to catch out-of-order answers). */
async function echoing() {
  return upstream('echo', (req, res, body) => {
    setTimeout(() => res.end(`${req.method} ${req.url} ${body}`.trimEnd()), req.url === '/1' ? 50 : 0);
  });
}

describe('pipelined requests', () => {
  it('answers three GETs sent in one write in order, on the simple path, one at a time', async () => {
    const echo = await echoing();
    const lb = await proxy([localReplica(echo.port)]);
    const paths = watchPaths(lb);
    const socket = await client(lb);
    const reader = new ResponseReader(socket);
    socket.write(request('GET', '/1') + request('GET', '/2') + request('GET', '/3'));
    expect(await reader.bodies(3)).toEqual(['200 GET /1', '200 GET /2', '200 GET /3']);
    expect(echo.seen.map((r) => r.url)).toEqual(['/1', '/2', '/3']);
    expect({ simple: paths.simple(), handOffs: paths.handOffs() }).toEqual({ simple: 3, handOffs: 0 });
  });

  it('answers a pipeline longer than the simple path buffers (8 KiB) whole and in order', async () => {
    const echo = await echoing();
    const lb = await proxy([localReplica(echo.port)]);
    const socket = await client(lb);
    const reader = new ResponseReader(socket);
    const targets = Array.from({ length: 200 }, (_, i) => `/${i + 1}`);
    const pipeline = targets.map((t) => request('GET', t)).join('');
    expect(pipeline.length).toBeGreaterThan(8 * 1024);
    socket.write(pipeline);
    expect(await within(3_000, 'every answer', reader.bodies(targets.length))).toEqual(targets.map((t) => `200 GET ${t}`));
    expect(echo.seen.map((r) => r.url)).toEqual(targets);
  });

  it('hands a POST pipelined behind GETs to Node with its body, and serves the GETs after it', async () => {
    const echo = await echoing();
    const lb = await proxy([localReplica(echo.port)]);
    const paths = watchPaths(lb);
    const socket = await client(lb);
    const reader = new ResponseReader(socket);
    const post = request('POST', '/3', 'Content-Type: text/plain', 'Content-Length: 7') + 'payload';
    socket.write(request('GET', '/1') + request('GET', '/2') + post + request('GET', '/4'));
    expect(await reader.bodies(4)).toEqual(['200 GET /1', '200 GET /2', '200 POST /3 payload', '200 GET /4']);
    socket.write(request('GET', '/5'));
    expect(await reader.bodies(1)).toEqual(['200 GET /5']);
    const seen = echo.seen.map((r) => `${r.method} ${r.url} ${r.body}`.trimEnd());
    // Node's server reads the POST and the GET behind it at once, and the proxy forwards both: in either order.
    expect([...seen.slice(0, 2), ...seen.slice(2, 4).sort(), seen[4]]).toEqual([
      'GET /1',
      'GET /2',
      'GET /4',
      'POST /3 payload',
      'GET /5',
    ]);
    // The GETs before the POST on the simple path; the rest of the connection Node's.
    expect({ simple: paths.simple(), handOffs: paths.handOffs() }).toEqual({ simple: 2, handOffs: 1 });
  });
});

// ---- 3. Half-close ---------------------------------------------------------------------------------

describe('a client that half-closes after its requests', () => {
  const BODY = 'x'.repeat(256 * 1024);

  it('still gets the whole response to a GET, then the connection closes', async () => {
    const release: Array<() => void> = [];
    const slow = await upstream('slow', (_req, res) => release.push(() => res.end(BODY)));
    const lb = await proxy([localReplica(slow.port)]);
    const paths = watchPaths(lb);
    const socket = await client(lb);
    const reader = new ResponseReader(socket);
    socket.end(request('GET', '/big'));
    await waitUntil(() => release.length === 1);
    release[0]?.();
    const res = await reader.next();
    expect(res.status).toBe(200);
    expect(res.body.toString('latin1')).toBe(BODY);
    expect(await within(2_000, 'close after the response', reader.rest())).toBe('');
    expect(paths.handOffs()).toBe(0);
  });

  it('gets every answer to pipelined GETs, then the connection closes', async () => {
    const echo = await echoing();
    const lb = await proxy([localReplica(echo.port)]);
    const socket = await client(lb);
    const reader = new ResponseReader(socket);
    socket.end(request('GET', '/1') + request('GET', '/2'));
    expect(await reader.bodies(2)).toEqual(['200 GET /1', '200 GET /2']);
    expect(await within(2_000, 'close after the responses', reader.rest())).toBe('');
  });

  it('gets the answers to a GET and a POST pipelined behind it, as on Node\'s path', async () => {
    const echo = await echoing();
    const lb = await proxy([localReplica(echo.port)]);
    const paths = watchPaths(lb);
    const both = request('GET', '/1') + request('POST', '/2', 'Content-Length: 4') + 'body';
    const outcome = async (path: Path): Promise<string[]> => {
      const socket = await client(lb);
      const reader = new ResponseReader(socket);
      await write(socket, both, path, paths);
      socket.end();
      const answered: string[] = [];
      try {
        for (;;) answered.push((await reader.bodies(1))[0] as string);
      } catch {
        // closed: every answer is in
      }
      return answered;
    };
    const node = await outcome('node');
    expect(node).toEqual(['200 GET /1', '200 POST /2 body']);
    expect(await outcome('simple')).toEqual(node);
  });
});

// ---- 4. Keep-alive and the first request's timeout -------------------------------------------------

describe('idle connections', () => {
  const KEEP_ALIVE_MS = 500;

  it('closes a keep-alive connection idle longer than clientKeepAliveTimeout', async () => {
    const replica = await upstream('r');
    const lb = await proxy([localReplica(replica.port)], { clientKeepAliveTimeout: `${KEEP_ALIVE_MS}ms` });
    const socket = await client(lb);
    const reader = new ResponseReader(socket);
    socket.write(request('GET', '/'));
    expect((await reader.next()).status).toBe(200);
    const idleFrom = performance.now();
    expect(await within(KEEP_ALIVE_MS + 4_000, 'idle close', reader.rest())).toBe('');
    // Not at once: the server's tick closes it once it has idled that long (tick: 100 ms).
    expect(performance.now() - idleFrom).toBeGreaterThanOrEqual(KEEP_ALIVE_MS - 100);
  });

  it('keeps open a connection used again within the timeout, for longer than the timeout in all', async () => {
    // A longer timeout than above, so that a stall of this machine between two requests is not an idle spell.
    const keepAliveMs = 2_000;
    const replica = await upstream('r');
    const lb = await proxy([localReplica(replica.port)], { clientKeepAliveTimeout: `${keepAliveMs}ms` });
    const paths = watchPaths(lb);
    const socket = await client(lb);
    const reader = new ResponseReader(socket);
    const start = performance.now();
    const answers: number[] = [];
    for (let i = 0; i < 8; i++) {
      if (i > 0) await sleep(keepAliveMs / 6);
      socket.write(request('GET', `/${i}`));
      answers.push((await reader.next()).status);
    }
    expect(answers).toEqual(Array(8).fill(200));
    expect(performance.now() - start).toBeGreaterThan(keepAliveMs);
    expect(paths.simple()).toBe(8);
  });

  it('answers 408 and closes a connection that sends no request within clientHeadersTimeout, as Node does', async () => {
    const replica = await upstream('r');
    const lb = await proxy([localReplica(replica.port)], { clientHeadersTimeout: '300ms' });
    const socket = await client(lb);
    const reader = new ResponseReader(socket);
    const from = performance.now();
    // Node's server (20.x) sends this to a connection silent for headersTimeout.
    expect(await within(2_000, 'close of a silent connection', reader.rest())).toBe(
      'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n',
    );
    expect(performance.now() - from).toBeGreaterThanOrEqual(200);
  });
});

// ---- 5. A client that leaves -----------------------------------------------------------------------

async function metric(lb: ProxyHarness, name: string): Promise<string[]> {
  return (await lb.stack.metrics.registry.metrics()).split('\n').filter((l) => l.startsWith(name));
}

/** The access log's "url status" pairs. */
function logged(lb: ProxyHarness): string[] {
  return lb.logs.filter((l) => l.msg === 'request').map((l) => `${String(l.url)} ${String(l.status)}`);
}

/**
 * A client that closes with a FIN while the request is on its way to a replica may be half-closing
 * (it is answered: see above), on either path; one that resets has gone, and so has one whose FIN
 * comes while its request still waits for a replica connection (Exchange.watchClientWhileWaiting).
 */
describe.each<Path>(['simple', 'node'])('a client that leaves before its answer (%s path)', (path) => {
  it('resetting while a slow replica works on its request: 499, the replica connection let go, others served', async () => {
    let working: Socket | undefined;
    const slow = await upstream('slow', (req, res) => {
      if (req.url === '/slow') working = req.socket;
      else res.end('ok');
    });
    const lb = await proxy([localReplica(slow.port)], { accessLog: 'true' });
    const paths = watchPaths(lb);
    const leaving = await client(lb);
    await write(leaving, request('GET', '/slow'), path, paths);
    await waitUntil(() => working !== undefined);
    leaving.resetAndDestroy();
    await within(2_000, 'the replica connection closing', closed(working as Socket));
    await waitUntil(() => logged(lb).length === 1);
    expect(logged(lb)).toEqual(['/slow 499']);
    expect(await metric(lb, 'compose_lb_requests_total{service="web"')).toEqual(['compose_lb_requests_total{service="web",code="499"} 1']);
    expect(lb.replicas.all()[0]?.inflight).toBe(0);

    const next = await client(lb);
    const reader = new ResponseReader(next);
    next.write(request('GET', '/ok'));
    expect(await reader.bodies(1)).toEqual(['200 ok']);
    expect(paths.handOffs()).toBe(path === 'node' ? 1 : 0);
  });

  it('closing while its request waits for a replica connection: 499, never sent, the others served', async () => {
    const release: Array<() => void> = [];
    const slow = await upstream('slow', (req, res) => {
      if (req.url === '/first') release.push(() => res.end('first'));
      else res.end('ok');
    });
    const lb = await proxy([localReplica(slow.port)], { accessLog: 'true', maxConnsPerReplica: '1' });
    const paths = watchPaths(lb);
    const first = await client(lb);
    const firstReader = new ResponseReader(first);
    first.write(request('GET', '/first'));
    await waitUntil(() => release.length === 1);
    const leaving = await client(lb);
    await write(leaving, request('GET', '/queued'), path, paths);
    await waitUntil(() => lb.replicas.all()[0]?.inflight === 2);
    leaving.end();
    await within(2_000, 'the leaving client closed', closed(leaving));
    expect(logged(lb)).toEqual(['/queued 499']);
    release[0]?.();
    expect(await firstReader.bodies(1)).toEqual(['200 first']);
    const next = await client(lb);
    const reader = new ResponseReader(next);
    next.write(request('GET', '/ok'));
    expect(await reader.bodies(1)).toEqual(['200 ok']);
    expect(slow.seen.map((r) => r.url)).toEqual(['/first', '/ok']);
    expect(lb.replicas.all()[0]?.inflight).toBe(0);
  });
});

// ---- 6. Graceful shutdown --------------------------------------------------------------------------

describe('graceful shutdown', () => {
  it('closes idle simple-path connections at once, and finishes a request in flight with Connection: close', async () => {
    const release: Array<() => void> = [];
    const slow = await upstream('slow', (req, res) => {
      if (req.url === '/slow') release.push(() => res.end('done'));
      else res.end('ok');
    });
    const lb = await proxy([localReplica(slow.port)]);
    const paths = watchPaths(lb);
    const idle = await client(lb);
    const idleReader = new ResponseReader(idle);
    idle.write(request('GET', '/'));
    expect((await idleReader.next()).head).toContain('\r\nConnection: keep-alive\r\n');
    const silent = await client(lb); // connected, never sent a request
    const busy = await client(lb);
    const busyReader = new ResponseReader(busy);
    busy.write(request('GET', '/slow'));
    await waitUntil(() => release.length === 1);

    const stopped = lb.stack.proxy.shutdown(5_000);
    // Before the request in flight is done: the idle ones must not wait for it.
    expect(await within(1_000, 'idle keep-alive connection closed', idleReader.rest())).toBe('');
    await within(1_000, 'silent connection closed', closed(silent));
    expect(busy.destroyed).toBe(false);
    release[0]?.();
    const res = await busyReader.next();
    expect(`${res.status} ${res.body.toString('latin1')}`).toBe('200 done');
    expect(res.head).toContain('\r\nConnection: close\r\n');
    expect(await within(1_000, 'close after the last response', busyReader.rest())).toBe('');
    expect(await stopped).toBe(0);
    expect(paths.handOffs()).toBe(0);
  });
});

// ---- 7. Back-pressure ------------------------------------------------------------------------------

describe('a large response to a client that reads slowly', () => {
  const BIG = randomBytes(5 << 20);

  it.each([
    ['with Content-Length', true],
    ['chunked', false],
  ])('arrives whole and intact (%s), written as the client drains it', async (_what, withLength) => {
    const big = await upstream('big', (_req, res) => {
      res.writeHead(200, withLength ? { 'content-length': BIG.length } : {});
      res.end(BIG);
    });
    const lb = await proxy([localReplica(big.port)]);
    const paths = watchPaths(lb);
    const write = jest.spyOn(SimpleResponse.prototype, 'write');
    const socket = await client(lb);
    socket.pause(); // not reading, until the balancer has had to wait
    const reader = new ResponseReader(socket);
    socket.write(request('GET', '/big'));
    await within(3_000, 'SimpleResponse.write returning false', waitUntil(() => write.mock.results.some((r) => r.value === false)));
    // Then read slowly: a turn of the event loop between chunks.
    socket.on('data', () => {
      socket.pause();
      setImmediate(() => socket.resume());
    });
    socket.resume();
    const res = await within(3_000, 'the whole response', reader.next());
    expect(res.status).toBe(200);
    expect(res.head).toMatch(withLength ? new RegExp(`\r\ncontent-length: ${BIG.length}\r\n`, 'i') : /\r\nTransfer-Encoding: chunked\r\n/);
    expect(res.body.length).toBe(BIG.length);
    expect(res.body.equals(BIG)).toBe(true);
    expect(paths.handOffs()).toBe(0);
  });
});
