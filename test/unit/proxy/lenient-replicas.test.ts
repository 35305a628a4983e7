import { localReplica } from '../support/proxy-harness';
import { openSocket, readUntil, sendRaw, statuses } from '../support/raw-http';
import { scopedServers, statusAndBody, waitUntil } from '../support/scoped-servers';

/**
 * Lenient towards replicas, strict towards clients: what a sloppy replica
 * sends is read as HAProxy and nginx read it and reaches the client
 * well-formed; what cannot be framed one way only is a 502, and the replica's
 * connection is not used again.
 */

const { upstream, rawReplica, proxy } = scopedServers();

const GET = 'GET / HTTP/1.1\r\nHost: shop\r\nConnection: close\r\n\r\n';

describe('replicas that send malformed responses', () => {
  it('serves a busybox CGI answer with bare-LF header lines (a regression: it was a 502)', async () => {
    const cgi = await rawReplica((s) =>
      s.end('HTTP/1.1 200 OK\r\nContent-Type: text/plain\nX-Replica: 1aa228574af5\n\n1aa228574af5\n'),
    );
    const lb = await proxy([localReplica(cgi.port)]);
    const res = await fetch(`${lb.url}/cgi-bin/hello`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-replica')).toBe('1aa228574af5');
    expect(await res.text()).toBe('1aa228574af5\n');
    // Logged once for the replica, not per response.
    await fetch(`${lb.url}/cgi-bin/hello`).then((r) => r.text());
    const quirks = lb.logs.filter((l) => l.msg === 'replica sends malformed responses; accepted as HAProxy and nginx accept them');
    expect(quirks.map((l) => l['quirks'])).toEqual([['bare LF line endings']]);
  });

  it('sends the client CRLF lines, unfolded values and names without trailing space', async () => {
    const sloppy = await rawReplica((s) =>
      s.end('HTTP/1.1 200 OK\nX-Folded: a\n b\nX-Spaced : c\nContent-Length: 2\n\nok'),
    );
    const lb = await proxy([localReplica(sloppy.port)]);
    const answer = await sendRaw(lb.port, GET);
    const head = answer.slice(0, answer.indexOf('\r\n\r\n'));
    expect(head.split('\r\n')).toEqual(expect.arrayContaining(['X-Folded: a b', 'X-Spaced: c', 'Content-Length: 2']));
    expect(head.includes('\n') && !/[^\r]\n/.test(head)).toBe(true);
    expect(answer.endsWith('\r\n\r\nok')).toBe(true);
  });

  it.each<[string, string]>([
    ['Content-Length with Transfer-Encoding', 'Content-Length: 2\r\nTransfer-Encoding: chunked\r\n'],
    ['two different Content-Lengths', 'Content-Length: 2\r\nContent-Length: 3\r\n'],
  ])('answers 502 to %s and does not use that connection again', async (_name, framing) => {
    let connections = 0;
    const ambiguous = await rawReplica((s, _head, index) => {
      if (index === 0) s.write(`HTTP/1.1 200 OK\r\n${framing}\r\nok0\r\n\r\n`);
      else s.write('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nnext');
    });
    ambiguous.onConnection(() => connections++);
    const lb = await proxy([localReplica(ambiguous.port)]);
    await waitUntil(() => connections === 1);
    connections = 0; // the connection that let it into rotation
    expect(await statusAndBody(`${lb.url}/`)).toBe('502 bad gateway: the replica failed\n');
    expect(await statusAndBody(`${lb.url}/`)).toBe('200 next');
    expect(connections).toBe(2);
  });

  it('reads a response the replica ends by closing the connection (HTTP/1.0)', async () => {
    const old = await rawReplica((s) => s.end('HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil close'));
    const lb = await proxy([localReplica(old.port)]);
    expect(await statusAndBody(`${lb.url}/`)).toBe('200 until close');
  });
});

describe('what a replica is told', () => {
  it('gets the Host the client sent even when Connection names it', async () => {
    const replica = await upstream('r');
    const lb = await proxy([localReplica(replica.port)]);
    await sendRaw(lb.port, 'GET /x HTTP/1.1\r\nHost: probe.test\r\nConnection: Host, X-Forwarded-For, close\r\n\r\n');
    expect(replica.seen[0]?.headers.host).toBe('probe.test');
  });

  it('gets no Host when an HTTP/1.0 client sent none: none is made up', async () => {
    const raw = await rawReplica((s) => s.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'));
    const lb = await proxy([localReplica(raw.port)]);
    expect(statuses(await sendRaw(lb.port, 'GET /x HTTP/1.0\r\n\r\n'))).toEqual([200]);
    expect(raw.heads[0]).not.toMatch(/^host:/im);
  });

  it('gets a POST on a connection of its own, never on a kept-alive one that may be closing', async () => {
    let connections = 0;
    const replica = await upstream('r');
    replica.server.on('connection', () => connections++);
    const lb = await proxy([localReplica(replica.port)]);
    await waitUntil(() => connections === 1);
    connections = 0; // the connection that let it into rotation
    expect(await statusAndBody(`${lb.url}/`)).toBe('200 r');
    expect(await statusAndBody(`${lb.url}/`)).toBe('200 r');
    expect(connections).toBe(1);
    expect(await statusAndBody(`${lb.url}/`, { method: 'POST', body: 'x' })).toBe('200 r');
    expect(connections).toBe(2);
  });
});

describe('a client that stops sending its request body', () => {
  it('gets 408 after the upload timeout, and the replica connection it held is closed', async () => {
    const replica = await upstream('r');
    const lb = await proxy([localReplica(replica.port)], { uploadTimeout: '100ms' });
    const client = await openSocket(lb.port);
    client.write('POST /upload HTTP/1.1\r\nHost: shop\r\nContent-Length: 10\r\n\r\nabc');
    expect(statuses(await readUntil(client, '\r\n\r\n'))).toEqual([408]);
    await waitUntil(() => replica.sockets.size === 0);
    expect(replica.seen).toHaveLength(0);
    client.destroy();
  });
});
