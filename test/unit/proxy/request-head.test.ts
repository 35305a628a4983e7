import { prepareRequest, serializeRequestHead, type ForwardedFor, type RequestProblem, type UpstreamRequest } from '../../../src/proxy/request-head';

const CLIENT = '203.0.113.7';
const UNTRUSTED: ForwardedFor = { clientAddress: CLIENT, proto: 'http', trusted: false, port: 8080 };
const TRUSTED: ForwardedFor = { ...UNTRUSTED, trusted: true };

/** A client request as Node's server hands it over, prepared for a replica. */
function prepare(
  method: string,
  url: string,
  rawHeaders: readonly string[],
  httpVersion = '1.1',
  hop: ForwardedFor = UNTRUSTED,
  upgrade = false,
): UpstreamRequest | RequestProblem {
  return prepareRequest({ method, url, httpVersion, rawHeaders }, hop, upgrade);
}

function forwarded(result: UpstreamRequest | RequestProblem): UpstreamRequest {
  if (result.kind !== 'forward') throw new Error(`refused: ${result.message}`);
  return result;
}

const pathOf = (result: UpstreamRequest | RequestProblem): string => forwarded(result).path;
const names = (flat: readonly string[]): string[] => flat.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());

/** The forwarded headers as an object (names lower-cased, repeats kept apart), for whole-set expectations. */
function headersOf(result: UpstreamRequest | RequestProblem): Record<string, string | string[]> {
  const flat = forwarded(result).headers;
  const out: Record<string, string | string[]> = {};
  for (let i = 0; i < flat.length; i += 2) {
    const name = (flat[i] as string).toLowerCase();
    const value = flat[i + 1] as string;
    const seen = out[name];
    out[name] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value];
  }
  return out;
}

/** The X-Forwarded-* and X-Real-IP headers the balancer sets for CLIENT asking for `host`. */
function forwardedFor(host: string, port = '8080') {
  return {
    'x-forwarded-for': CLIENT,
    'x-forwarded-proto': 'http',
    'x-forwarded-host': host,
    'x-forwarded-port': port,
    'x-real-ip': CLIENT,
  };
}

/** Headers a client says about earlier hops: kept for a trusted proxy, dropped for anyone else. */
const CLAIMS = [
  'X-Forwarded-For', '198.51.100.1, 198.51.100.2',
  'X-Forwarded-Proto', 'https',
  'X-Forwarded-Host', 'public.example',
  'X-Forwarded-Port', '443',
  'X-Forwarded-Prefix', '/shop',
  'X-Real-IP', '198.51.100.1',
  'Forwarded', 'for=198.51.100.1;proto=https',
];

const HOST = ['Host', 'shop.example'];
const bad = (message: string): RequestProblem => ({ kind: 'refuse', status: 400, message });

describe('prepareRequest: request checks', () => {
  it.each<[string, string, string, string[]]>([
    ['an origin-form GET', 'GET', '/cart?id=1', HOST],
    ['a Host with a port', 'GET', '/', ['Host', 'shop.example:8080']],
    ['an IPv4 Host', 'GET', '/', ['Host', '10.0.0.1:80']],
    ['an IPv6 literal Host', 'GET', '/', ['Host', '[fd00::1]:8080']],
    ['a chunked POST', 'POST', '/upload', [...HOST, 'Transfer-Encoding', 'chunked']],
    ['chunked in capitals, with spaces', 'POST', '/upload', [...HOST, 'transfer-encoding', ' Chunked ']],
    ['a POST with a length', 'POST', '/upload', [...HOST, 'Content-Length', '5']],
    ['OPTIONS *', 'OPTIONS', '*', HOST],
  ])('accepts %s unchanged', (_name, method, url, headers) => {
    expect(pathOf(prepare(method, url, headers))).toBe(url);
  });

  it.each<[string, string, string, string[], string]>([
    ['two Host headers', 'GET', '/', [...HOST, 'Host', 'evil.example'], 'more than one Host header'],
    ['two Host headers in other cases', 'GET', '/', ['host', 'a', 'HOST', 'b'], 'more than one Host header'],
    ['no Host', 'GET', '/', [], 'invalid Host header'],
    ['an empty Host', 'GET', '/', ['Host', ''], 'invalid Host header'],
    ['a Host with a space', 'GET', '/', ['Host', 'shop example'], 'invalid Host header'],
    ['a Host with a path', 'GET', '/', ['Host', 'shop.example/admin'], 'invalid Host header'],
    ['a Host with userinfo', 'GET', '/', ['Host', 'user@shop.example'], 'invalid Host header'],
    ['a Host with two ports', 'GET', '/', ['Host', 'shop.example:80:81'], 'invalid Host header'],
    ['a Host with a quote', 'GET', '/', ['Host', 'shop"example'], 'invalid Host header'],
    ['TE chunked twice in one header', 'POST', '/', [...HOST, 'Transfer-Encoding', 'chunked, chunked'], 'unsupported Transfer-Encoding'],
    ['TE gzip', 'POST', '/', [...HOST, 'Transfer-Encoding', 'gzip'], 'unsupported Transfer-Encoding'],
    ['TE gzip, chunked', 'POST', '/', [...HOST, 'Transfer-Encoding', 'gzip, chunked'], 'unsupported Transfer-Encoding'],
    [
      'two TE headers',
      'POST',
      '/',
      [...HOST, 'Transfer-Encoding', 'chunked', 'Transfer-Encoding', 'chunked'],
      'unsupported Transfer-Encoding',
    ],
    [
      'Content-Length with Transfer-Encoding',
      'POST',
      '/',
      [...HOST, 'Content-Length', '5', 'Transfer-Encoding', 'chunked'],
      'both Content-Length and Transfer-Encoding',
    ],
    ['an absolute-form target on another host', 'GET', 'http://evil.example/x', HOST, 'request target and Host header name different hosts'],
    ['an absolute-form target on another port', 'GET', 'http://shop.example:81/', HOST, 'request target and Host header name different hosts'],
    ['a target of another scheme', 'GET', 'ftp://shop.example/x', HOST, 'invalid request target'],
    ['a target that is no URL', 'GET', 'shop.example/x', HOST, 'invalid request target'],
    ['* with a method other than OPTIONS', 'GET', '*', HOST, 'invalid request target'],
  ])('refuses %s', (_name, method, url, headers, message) => {
    expect(prepare(method, url, headers)).toEqual(bad(message));
  });

  it.each<[string, string]>([
    ['http://shop.example/cart?id=1', '/cart?id=1'],
    ['http://SHOP.example/', '/'],
    ['http://shop.example', '/'],
    ['http://shop.example:80/a', '/a'],
    ['https://shop.example/secure', '/secure'],
    ['http://shop.example/a/../b//c?x=%2e', '/a/../b//c?x=%2e'],
    ['http://shop.example?q=1', '/?q=1'],
    ['http://shop.example?next=/x', '/?next=/x'],
  ])('rewrites the absolute-form target %s on the same host to origin-form %s', (url, originForm) => {
    expect(pathOf(prepare('GET', url, HOST))).toBe(originForm);
  });

  it('lets an HTTP/1.0 request leave Host out, and invents none for it', () => {
    const forwarded = prepare('GET', '/', [], '1.0');
    expect(forwarded.kind === 'forward' && forwarded.host).toBe(undefined);
    expect(forwarded.kind === 'forward' && names(forwarded.headers)).not.toContain('host');
    expect(prepare('GET', '/', [], '1.1')).toEqual(bad('invalid Host header'));
  });

  it.each(['shop%zz', '1.2.3.999', 'shop.example:99999', '[fd00::1::2]'])(
    'refuses an absolute-form request whose Host %j passes the pattern but is no valid host, without throwing',
    (host) => {
      // A throw here escapes the server's request handler and takes the whole balancer down.
      expect(prepare('GET', 'http://shop.example/', ['Host', host])).toEqual(bad('invalid Host header'));
    },
  );
});

describe('prepareRequest: what the replica gets', () => {
  it('drops hop-by-hop headers, those Connection names and Expect, keeping the rest in order and case', () => {
    const out = prepare('GET', '/', [
      'Host', 'shop.example',
      'Accept', '*/*',
      'Connection', 'keep-alive, X-Secret',
      'Keep-Alive', 'timeout=5',
      'Proxy-Connection', 'keep-alive',
      'Proxy-Authorization', 'Basic YWxhZGRpbjpvcGVuc2VzYW1l',
      'TE', 'trailers',
      'Trailer', 'x-checksum',
      'Upgrade', 'h2c',
      'X-Secret', 'only for the next hop',
      'Expect', '100-continue',
      'Authorization', 'Bearer end-to-end',
    ]);
    expect(forwarded(out).headers.slice(0, 6)).toEqual(['Host', 'shop.example', 'Accept', '*/*', 'Authorization', 'Bearer end-to-end']);
    expect(headersOf(out)).toEqual({ host: 'shop.example', accept: '*/*', authorization: 'Bearer end-to-end', ...forwardedFor('shop.example') });
  });

  it('reads Connection tokens case-insensitively, ignoring spaces and empty items', () => {
    const out = prepare('GET', '/', ['Host', 'h', 'Connection', 'close, X-A ,x-b,,', 'x-a', '1', 'x-b', '2', 'x-c', '3']);
    expect(headersOf(out)).toEqual({ host: 'h', 'x-c': '3', ...forwardedFor('h') });
  });

  it('never lets Connection remove Host, which is end-to-end (the replica would get one made up)', () => {
    const out = prepare('GET', '/x', ['Host', 'probe.test', 'Connection', 'Host, X-Forwarded-For']);
    expect(headersOf(out)).toEqual({ host: 'probe.test', ...forwardedFor('probe.test') });
  });

  it('does not let Connection remove Content-Length, the framing of the body that follows', () => {
    // Dropped, a GET's body would reach the replica unframed and be read as a request of its own.
    const out = prepare('GET', '/', ['Host', 'h', 'Connection', 'content-length', 'Content-Length', '40']);
    expect(headersOf(out)['content-length']).toBe('40');
    expect(forwarded(out).body).toBe('length');
  });

  it.each<[string, string, string[], Record<string, string>, string]>([
    ['a chunked POST as exactly chunked', 'POST', ['Transfer-Encoding', 'chunked'], { 'transfer-encoding': 'chunked' }, 'chunked'],
    ['a chunked PUT whatever the case', 'PUT', ['transfer-encoding', 'Chunked'], { 'transfer-encoding': 'chunked' }, 'chunked'],
    ['a POST with a length', 'POST', ['Content-Length', '5'], { 'content-length': '5' }, 'length'],
    ['a POST without a body as Content-Length 0', 'POST', [], { 'content-length': '0' }, 'none'],
    ['a POST with Content-Length 0', 'POST', ['Content-Length', '0'], { 'content-length': '0' }, 'none'],
    ['a PATCH without a body as Content-Length 0', 'PATCH', [], { 'content-length': '0' }, 'none'],
    ['a PUT without a body as Content-Length 0', 'PUT', [], { 'content-length': '0' }, 'none'],
    ['a GET without a body as nothing', 'GET', [], {}, 'none'],
    ['a DELETE without a body as nothing', 'DELETE', [], {}, 'none'],
    ['a HEAD as nothing', 'HEAD', [], {}, 'none'],
    ['a GET with a length', 'GET', ['Content-Length', '3'], { 'content-length': '3' }, 'length'],
  ])('frames %s', (_name, method, framing, expected, body) => {
    const out = prepare(method, '/', ['Host', 'h', ...framing]);
    const headers = headersOf(out);
    expect({ 'content-length': headers['content-length'], 'transfer-encoding': headers['transfer-encoding'] }).toEqual({
      'content-length': undefined,
      'transfer-encoding': undefined,
      ...expected,
    });
    expect(forwarded(out).body).toBe(body);
  });

  it("replaces an untrusted client's claims about earlier hops, and drops Forwarded", () => {
    expect(headersOf(prepare('GET', '/', ['Host', 'shop.example', ...CLAIMS]))).toEqual({
      host: 'shop.example',
      ...forwardedFor('shop.example'),
    });
  });

  it("extends a trusted proxy's X-Forwarded-For and keeps its other claims", () => {
    expect(headersOf(prepare('GET', '/', ['Host', 'shop.example', ...CLAIMS], '1.1', TRUSTED))).toEqual({
      host: 'shop.example',
      'x-forwarded-prefix': '/shop',
      forwarded: 'for=198.51.100.1;proto=https',
      'x-forwarded-for': `198.51.100.1, 198.51.100.2, ${CLIENT}`,
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'public.example',
      'x-forwarded-port': '443',
      'x-real-ip': '198.51.100.1',
    });
  });

  it('joins a repeated X-Forwarded-For from a trusted proxy before extending it', () => {
    const out = prepare('GET', '/', ['Host', 'h', 'X-Forwarded-For', '198.51.100.1', 'x-forwarded-for', '198.51.100.2'], '1.1', TRUSTED);
    expect(headersOf(out)['x-forwarded-for']).toBe(`198.51.100.1, 198.51.100.2, ${CLIENT}`);
  });

  it('sets every X-Forwarded-* header for a trusted proxy that sent none', () => {
    expect(headersOf(prepare('GET', '/', ['Host', 'shop.example'], '1.1', TRUSTED))).toEqual({
      host: 'shop.example',
      ...forwardedFor('shop.example'),
    });
  });

  it.each<[string, string | undefined, string, string]>([
    ['the port in Host', 'shop.example:8443', 'shop.example:8443', '8443'],
    ["the balancer's own port when Host has none", 'shop.example', 'shop.example', '8080'],
    ['the port after an IPv6 literal', '[::1]:9000', '[::1]:9000', '9000'],
    ["the balancer's port for a bare IPv6 literal", '[::1]', '[::1]', '8080'],
    ['an empty host when there is none', undefined, '', '8080'],
  ])('sets X-Forwarded-Host and -Port from %s', (_name, host, forwardedHost, port) => {
    const headers = headersOf(prepare('GET', '/', host === undefined ? [] : ['Host', host], '1.0'));
    expect([headers['x-forwarded-host'], headers['x-forwarded-port']]).toEqual([forwardedHost, port]);
  });

  it('keeps Connection: upgrade and Upgrade for a WebSocket handshake, and only then', () => {
    const handshake = [
      'Host', 'h',
      'Connection', 'Upgrade, X-Hop',
      'Upgrade', 'websocket',
      'X-Hop', '1',
      'Sec-WebSocket-Key', 'dGhlIHNhbXBsZSBub25jZQ==',
      'Sec-WebSocket-Version', '13',
    ];
    expect(headersOf(prepare('GET', '/ws', handshake, '1.1', UNTRUSTED, true))).toEqual({
      host: 'h',
      'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
      'sec-websocket-version': '13',
      connection: 'upgrade',
      upgrade: 'websocket',
      ...forwardedFor('h'),
    });
    expect(headersOf(prepare('GET', '/ws', handshake))).not.toHaveProperty('upgrade');
  });

  it('leaves the incoming raw headers as they were', () => {
    const raw = Object.freeze(['Host', 'h', 'Connection', 'x-a', 'x-a', '1', ...CLAIMS]);
    prepare('POST', '/', raw, '1.1', TRUSTED, true);
    expect(raw).toEqual(['Host', 'h', 'Connection', 'x-a', 'x-a', '1', ...CLAIMS]);
  });
});

describe('serializeRequestHead', () => {
  it('writes the request line, the headers as given and the empty line', () => {
    expect(serializeRequestHead('GET', '/a?b', ['Host', 'h', 'X-A', '1'])).toBe('GET /a?b HTTP/1.1\r\nHost: h\r\nX-A: 1\r\n\r\n');
  });
});
