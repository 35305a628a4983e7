import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MAX_SIMPLE_HEAD, readSimpleRequest, type SimpleRequest } from '../../../src/proxy/client/simple-request';
import { openSocket } from '../support/raw-http';

/**
 * `readSimpleRequest` must be a strict subset of Node's HTTP parser: whatever
 * it reads, Node's server would read the same way (method, target, raw
 * headers, keep-alive), and anything unusual is left to Node (undefined).
 * The last block checks the first half against a real Node server.
 */

/** Bytes as written on the wire, one character per byte. */
const bytes = (text: string): Buffer => Buffer.from(text, 'latin1');
/** A whole head: the request line, the header lines, the empty line. */
const head = (requestLine: string, ...headers: string[]): Buffer => bytes([requestLine, ...headers, '', ''].join('\r\n'));
const get = (...headers: string[]): Buffer => head('GET / HTTP/1.1', ...headers);

function read(data: Buffer): SimpleRequest {
  const request = readSimpleRequest(data);
  if (request === undefined) throw new Error(`not read: ${JSON.stringify(data.toString('latin1'))}`);
  return request;
}

/** A GET padded with one header so that its final CRLFCRLF starts at byte `end`. */
function getEndingAt(end: number): Buffer {
  const start = 'GET / HTTP/1.1\r\nHost: a\r\nX-Pad: ';
  return bytes(`${start}${'p'.repeat(end - start.length)}\r\n\r\n`);
}

/** A GET with Host and then `extra` more header lines. */
function getWithHeaders(extra: number): Buffer {
  return get('Host: a', ...Array.from({ length: extra }, (_, i) => `X-${i}: ${i}`));
}

describe('readSimpleRequest: what it reads', () => {
  it('reads a plain GET: target, headers in the client case and order, size up to the empty line', () => {
    const data = bytes('GET /shop/cart?id=1&x=%2F HTTP/1.1\r\nHost: shop.example:8080\r\nuser-agent: curl/8.5.0\r\nACCEPT: */*\r\n\r\n');
    expect(readSimpleRequest(data)).toEqual({
      method: 'GET',
      url: '/shop/cart?id=1&x=%2F',
      rawHeaders: ['Host', 'shop.example:8080', 'user-agent', 'curl/8.5.0', 'ACCEPT', '*/*'],
      keepAlive: true,
      size: data.length,
    });
  });

  it('reads a HEAD', () => {
    const data = head('HEAD /health HTTP/1.1', 'host: a');
    expect(readSimpleRequest(data)).toEqual({ method: 'HEAD', url: '/health', rawHeaders: ['host', 'a'], keepAlive: true, size: data.length });
  });

  it('drops the one optional space after the colon, and nothing else', () => {
    expect(read(get('Host:a', 'X-A:b', 'X-B: c d')).rawHeaders).toEqual(['Host', 'a', 'X-A', 'b', 'X-B', 'c d']);
  });

  it('keeps spaces and tabs inside a value', () => {
    expect(read(get('Host: a', 'X-V: a \t b\t\tc')).rawHeaders).toEqual(['Host', 'a', 'X-V', 'a \t b\t\tc']);
  });

  it('reads an empty value, with or without the space after the colon', () => {
    expect(read(get('Host: a', 'X-Empty:', 'X-Empty: ')).rawHeaders).toEqual(['Host', 'a', 'X-Empty', '', 'X-Empty', '']);
  });

  it('keeps repeated headers, Host included, in order', () => {
    expect(read(get('host: a', 'X: 1', 'HOST: b', 'X: 2')).rawHeaders).toEqual(['host', 'a', 'X', '1', 'HOST', 'b', 'X', '2']);
  });

  it('accepts every RFC 3986 character in an origin-form target', () => {
    const url = "/AZaz09-._~!$&'()*+,;=:@/?%2F%zz//";
    expect(read(head(`GET ${url} HTTP/1.1`, 'Host: a')).url).toBe(url);
  });

  it('accepts every token character in a header name (RFC 9110 section 5.6.2)', () => {
    const name = "!#$%&'*+-.^_`|~09AZaz";
    expect(read(get('Host: a', `${name}: v`)).rawHeaders).toEqual(['Host', 'a', name, 'v']);
  });

  it('ignores whatever follows the head', () => {
    const data = Buffer.concat([get('Host: a'), bytes('\x00\xff not a request')]);
    expect(read(data).size).toBe(get('Host: a').length);
  });

  it('reads a head whose final CRLFCRLF starts at MAX_SIMPLE_HEAD, and no longer one', () => {
    expect(read(getEndingAt(MAX_SIMPLE_HEAD)).size).toBe(MAX_SIMPLE_HEAD + 4);
    expect(readSimpleRequest(getEndingAt(MAX_SIMPLE_HEAD + 1))).toBeUndefined();
  });

  it('reads 100 header lines, and not 101', () => {
    expect(read(getWithHeaders(99)).rawHeaders).toHaveLength(200);
    expect(readSimpleRequest(getWithHeaders(100))).toBeUndefined();
  });
});

describe('readSimpleRequest: pipelining', () => {
  const first = head('GET /first HTTP/1.1', 'Host: a');
  const second = head('HEAD /second HTTP/1.1', 'Host: b', 'Connection: close');

  it('returns the first of two pipelined requests, with size exactly where the second starts', () => {
    const data = Buffer.concat([first, second]);
    const request = read(data);
    expect(request).toMatchObject({ method: 'GET', url: '/first', rawHeaders: ['Host', 'a'], size: first.length });
    expect(data.subarray(request.size).equals(second)).toBe(true);
  });

  it('reads the second request from data.subarray(size)', () => {
    const data = Buffer.concat([first, second]);
    expect(readSimpleRequest(data.subarray(read(data).size))).toEqual({
      method: 'HEAD',
      url: '/second',
      rawHeaders: ['Host', 'b', 'Connection', 'close'],
      keepAlive: false,
      size: second.length,
    });
  });

  it('reads the first request while the second is still arriving', () => {
    const data = Buffer.concat([first, second.subarray(0, 20)]);
    const request = read(data);
    expect(request.size).toBe(first.length);
    expect(readSimpleRequest(data.subarray(request.size))).toBeUndefined();
  });
});

describe('readSimpleRequest: keep-alive', () => {
  it.each<[string, string[], boolean]>([
    ['no Connection header', [], true],
    ['Connection: keep-alive', ['Connection: keep-alive'], true],
    ['Connection: close', ['Connection: close'], false],
    ['Connection: Keep-Alive, Close (a list, any case)', ['Connection: Keep-Alive, Close'], false],
    ['connection: CLOSE', ['connection: CLOSE'], false],
    ['close first in a list, no spaces', ['Connection:close,te'], false],
    ['close after an empty list element', ['Connection: foo,, close'], false],
    ['close in a second Connection header', ['Connection: keep-alive', 'Connection: close'], false],
    ['"closed" (not the close token)', ['Connection: closed'], true],
    ['"close" quoted', ['Connection: "close"'], true],
    ['close inside a longer element', ['Connection: keep-alive close'], true],
    ['Connection: upgrade without an Upgrade header', ['Connection: upgrade'], true],
  ])('%s', (_name, headers, keepAlive) => {
    expect(read(get('Host: a', ...headers)).keepAlive).toBe(keepAlive);
  });
});

describe('readSimpleRequest: leaves everything else to Node', () => {
  it.each<[string, Buffer]>([
    // Not all there yet.
    ['an empty buffer', Buffer.alloc(0)],
    ['a head without its final empty line', bytes('GET / HTTP/1.1\r\nHost: a\r\n')],
    ['a head cut inside the final CRLFCRLF', bytes('GET / HTTP/1.1\r\nHost: a\r\n\r')],
    // Methods.
    ['POST', head('POST / HTTP/1.1', 'Host: a')],
    ['PUT', head('PUT / HTTP/1.1', 'Host: a')],
    ['DELETE', head('DELETE / HTTP/1.1', 'Host: a')],
    ['OPTIONS', head('OPTIONS / HTTP/1.1', 'Host: a')],
    ['PATCH', head('PATCH / HTTP/1.1', 'Host: a')],
    ['CONNECT', head('CONNECT a:443 HTTP/1.1', 'Host: a:443')],
    ['lowercase get', head('get / HTTP/1.1', 'Host: a')],
    ['mixed-case Head', head('Head / HTTP/1.1', 'Host: a')],
    // Versions.
    ['HTTP/1.0', head('GET / HTTP/1.0', 'Host: a')],
    ['HTTP/2.0', head('GET / HTTP/2.0', 'Host: a')],
    ['HTTP/1.2', head('GET / HTTP/1.2', 'Host: a')],
    ['lowercase http/1.1', head('GET / http/1.1', 'Host: a')],
    ['no version (HTTP/0.9 style)', head('GET /', 'Host: a')],
    // Targets.
    ['an absolute-form target', head('GET http://x/ HTTP/1.1', 'Host: x')],
    ['the asterisk target', head('GET * HTTP/1.1', 'Host: a')],
    ['a target without the leading slash', head('GET a HTTP/1.1', 'Host: a')],
    ['a space in the target', head('GET /a b HTTP/1.1', 'Host: a')],
    ['a tab in the target', head('GET /a\tb HTTP/1.1', 'Host: a')],
    ['" in the target', head('GET /"a" HTTP/1.1', 'Host: a')],
    ['{ in the target', head('GET /{a} HTTP/1.1', 'Host: a')],
    ['| in the target', head('GET /a|b HTTP/1.1', 'Host: a')],
    ['\\ in the target', head('GET /a\\b HTTP/1.1', 'Host: a')],
    ['< in the target', head('GET /<a> HTTP/1.1', 'Host: a')],
    ['^ in the target', head('GET /a^b HTTP/1.1', 'Host: a')],
    ['` in the target', head('GET /a`b HTTP/1.1', 'Host: a')],
    ['[ in the target', head('GET /[a] HTTP/1.1', 'Host: a')],
    ['# in the target', head('GET /a#b HTTP/1.1', 'Host: a')],
    ['a NUL in the target', head('GET /a\x00b HTTP/1.1', 'Host: a')],
    ['DEL in the target', head('GET /a\x7fb HTTP/1.1', 'Host: a')],
    ['byte 0x80 in the target', head('GET /a\x80b HTTP/1.1', 'Host: a')],
    ['UTF-8 in the target', Buffer.concat([bytes('GET /'), Buffer.from('café', 'utf8'), bytes(' HTTP/1.1\r\nHost: a\r\n\r\n')])],
    // Request line layout.
    ['leading CRLF before the request line', Buffer.concat([bytes('\r\n'), get('Host: a')])],
    ['two spaces after the method', head('GET  / HTTP/1.1', 'Host: a')],
    ['two spaces before the version', head('GET /  HTTP/1.1', 'Host: a')],
    ['a space at the start of the request line', head(' GET / HTTP/1.1', 'Host: a')],
    ['a space at the end of the request line', head('GET / HTTP/1.1 ', 'Host: a')],
    ['tabs between the request line parts', head('GET\t/\tHTTP/1.1', 'Host: a')],
    // Host.
    ['no Host', get('X-Host: a')],
    ['Hosts (not Host)', get('Hosts: a')],
    ['no headers at all', bytes('GET / HTTP/1.1\r\n\r\n')],
    // Framing and protocol headers, any case: a body, 100-continue or a protocol switch.
    ['Content-Length: 0', get('Host: a', 'Content-Length: 0')],
    ['content-length: 5', get('Host: a', 'content-length: 5')],
    ['CONTENT-LENGTH: 0 before Host', get('CONTENT-LENGTH: 0', 'Host: a')],
    ['Transfer-Encoding: chunked', get('Host: a', 'Transfer-Encoding: chunked')],
    ['transfer-encoding: identity', get('Host: a', 'transfer-encoding: identity')],
    ['Expect: 100-continue', get('Host: a', 'Expect: 100-continue')],
    ['EXPECT with an empty value', get('Host: a', 'EXPECT:')],
    ['Upgrade: websocket', get('Host: a', 'Connection: Upgrade', 'Upgrade: websocket')],
    ['upgrade: h2c', get('Host: a', 'upgrade: h2c')],
    // Header line syntax.
    ['a space before the colon', get('Host : a')],
    ['a tab before the colon', get('Host\t: a')],
    ['an empty header name', get('Host: a', ': x')],
    ['a line without a colon', get('Host: a', 'X-Flag')],
    ['a non-token character in a name', get('Host: a', 'X/Y: z')],
    ['a quote in a name', get('Host: a', 'X"Y: z')],
    ['byte 0x80 in a name', get('Host: a', 'X\x80: z')],
    ['obs-fold with a space', get('Host: a', 'X-Long: one', ' two')],
    ['obs-fold with a tab', get('Host: a', 'X-Long: one', '\ttwo')],
    ['a bare LF ending the request line', bytes('GET / HTTP/1.1\nHost: a\r\n\r\n')],
    ['a bare LF ending a header line', bytes('GET / HTTP/1.1\r\nHost: a\nX: b\r\n\r\n')],
    ['a bare CR inside a value', get('Host: a', 'X: b\rc')],
    ['a NUL in a value', get('Host: a', 'X: b\x00c')],
    ['a control character in a value', get('Host: a', 'X: b\x01c')],
    ['a vertical tab in a value', get('Host: a', 'X: b\x0bc')],
    ['DEL in a value', get('Host: a', 'X: b\x7fc')],
    ['byte 0x80 in a value', get('Host: a', 'X: b\x80c')],
    ['byte 0xff in a value', get('Host: a', 'X: \xff')],
    ['a trailing space in a value', get('Host: a ')],
    ['a trailing tab in a value', get('Host: a', 'X: b\t')],
    ['two spaces after the colon', get('Host:  a')],
    ['a tab after the colon', get('Host:\ta')],
    ['a value of two spaces', get('Host: a', 'X:  ')],
    // Size limits.
    ['a head longer than MAX_SIMPLE_HEAD', getEndingAt(MAX_SIMPLE_HEAD + 1)],
    ['a much longer head', getEndingAt(4 * MAX_SIMPLE_HEAD)],
    ['more than 100 header lines', getWithHeaders(100)],
  ])('%s', (_name, data) => {
    expect(readSimpleRequest(data)).toBeUndefined();
  });
});

/** What Node's server made of a request: what `readSimpleRequest` returns, but `size`. */
interface NodeRequest {
  method: string | undefined;
  url: string | undefined;
  rawHeaders: string[];
  keepAlive: boolean;
}

const asNode = ({ method, url, rawHeaders, keepAlive }: SimpleRequest): NodeRequest => ({ method, url, rawHeaders, keepAlive });

describe('readSimpleRequest: agrees with Node\'s HTTP server', () => {
  let server: Server;
  /** Requests Node's server read, by the client's port. */
  const seen = new Map<number, NodeRequest[]>();

  beforeAll(async () => {
    server = createServer((req, res) => {
      res.writeHead(200, { 'Content-Length': '0' });
      res.end();
      // Recorded before the response leaves: `end` only queues it. shouldKeepAlive is final once the head is stored.
      const port = req.socket.remotePort as number;
      const request = { method: req.method, url: req.url, rawHeaders: req.rawHeaders, keepAlive: res.shouldKeepAlive };
      seen.set(port, [...(seen.get(port) ?? []), request]);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
  });

  afterAll(async () => {
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
  });

  /** Writes `data` raw and waits for `count` response heads: the status codes and the requests Node read. */
  async function nodeReads(data: Buffer, count = 1): Promise<{ statuses: number[]; requests: NodeRequest[] }> {
    const socket = await openSocket((server.address() as AddressInfo).port);
    socket.on('error', () => {}); // a refused request may end in a reset; the status already says so
    const port = socket.localPort as number;
    try {
      let received = '';
      const done = new Promise<void>((resolve) => {
        const check = (): void => {
          if (received.split('\r\n\r\n').length > count) resolve();
        };
        socket.on('data', (chunk: Buffer) => {
          received += chunk.toString('latin1');
          check();
        });
        socket.once('close', () => resolve());
      });
      socket.write(data);
      await done;
      const statuses = [...received.matchAll(/^HTTP\/1\.1 (\d{3}) /gm)].map((m) => Number(m[1]));
      return { statuses, requests: seen.get(port) ?? [] };
    } finally {
      socket.destroy();
      seen.delete(port);
    }
  }

  it.each<[string, Buffer]>([
    ['a plain GET', bytes('GET /shop/cart?id=1 HTTP/1.1\r\nHost: shop.example:8080\r\nuser-agent: curl/8.5.0\r\nACCEPT: */*\r\n\r\n')],
    ['a HEAD', head('HEAD /health HTTP/1.1', 'host: a')],
    ['values with and without the space, inner tabs', get('Host:a', 'X-V: a \t b\t\tc')],
    ['empty values, Host included', get('Host:', 'X-Empty:', 'X-Empty: ')],
    ['repeated Host and other headers', get('host: a', 'X: 1', 'HOST: b', 'X: 2')],
    ['every RFC 3986 character in the target', head("GET /AZaz09-._~!$&'()*+,;=:@/?%2F%zz// HTTP/1.1", 'Host: a')],
    ['every token character in a name', get('Host: a', "!#$%&'*+-.^_`|~09AZaz: v")],
    ['names that look like framing headers but are not', get('Host: a', 'Content-Lengths: 5', 'Transfer-Encodin: chunked', 'Expects: 1', 'Upgrades: h2c')],
    ['hop-by-hop headers Node passes through', get('Host: a', 'Keep-Alive: timeout=5', 'TE: trailers', 'Trailer: x')],
    ['Connection: close', get('Host: a', 'Connection: close')],
    ['Connection: Keep-Alive, Close', get('Host: a', 'Connection: Keep-Alive, Close')],
    ['Connection: keep-alive', get('Host: a', 'Connection: keep-alive')],
    ['Connection: ,close', get('Host: a', 'Connection: ,close')],
    ['Connection: closed', get('Host: a', 'Connection: closed')],
    ['Connection: "close"', get('Host: a', 'Connection: "close"')],
    ['Connection: keep-alive close', get('Host: a', 'Connection: keep-alive close')],
    ['Connection: upgrade alone', get('Host: a', 'Connection: upgrade')],
    ['close in a second Connection header', get('Host: a', 'Connection: keep-alive', 'Connection: close')],
    ['a head of MAX_SIMPLE_HEAD', getEndingAt(MAX_SIMPLE_HEAD)],
    ['100 header lines', getWithHeaders(99)],
  ])('%s', async (_name, data) => {
    const ours = read(data);
    expect(await nodeReads(data)).toEqual({ statuses: [200], requests: [asNode(ours)] });
  });

  it('pipelined requests: Node reads the second where size says it starts', async () => {
    const data = Buffer.concat([head('GET /first HTTP/1.1', 'Host: a'), head('HEAD /second HTTP/1.1', 'Host: b', 'Connection: close')]);
    const first = read(data);
    const second = read(data.subarray(first.size));
    expect(await nodeReads(data, 2)).toEqual({ statuses: [200, 200], requests: [asNode(first), asNode(second)] });
  });

  // Where llhttp reads keep-alive its own way, the request is left to Node.
  it.each<[string, Buffer]>([
    // llhttp treats Proxy-Connection as Connection.
    ['Proxy-Connection: close', get('Host: a', 'Proxy-Connection: close')],
    // llhttp only skips spaces between a Connection token and the comma: it does not see `close` here.
    ['Connection: close<TAB>,foo', get('Host: a', 'Connection: close\t,foo')],
    ['Connection: foo,<TAB>close', get('Host: a', 'Connection: foo,\tclose')],
  ])('leaves %s to Node, which reads keep-alive its own way', (_name, data) => {
    expect(readSimpleRequest(data)).toBeUndefined();
  });
});
