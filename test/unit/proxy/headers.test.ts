import type { IncomingHttpHeaders } from 'node:http';
import {
  closeDelimitedHeaders,
  forwardRequestHeaders,
  forwardResponseHeaders,
  isValidStatus,
  plainTextHeaders,
  safeReason,
  type ForwardedFor,
} from '../../../src/proxy/headers';

const CLIENT = '203.0.113.7';
const UNTRUSTED: ForwardedFor = { clientAddress: CLIENT, proto: 'http', trusted: false, port: 8080 };
const TRUSTED: ForwardedFor = { ...UNTRUSTED, trusted: true };

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
const CLAIMS: IncomingHttpHeaders = {
  'x-forwarded-for': '198.51.100.1, 198.51.100.2',
  'x-forwarded-proto': 'https',
  'x-forwarded-host': 'public.example',
  'x-forwarded-port': '443',
  'x-forwarded-prefix': '/shop',
  'x-real-ip': '198.51.100.1',
  forwarded: 'for=198.51.100.1;proto=https',
};

describe('forwardRequestHeaders', () => {
  it('drops hop-by-hop headers, those Connection names and Expect, keeping the rest', () => {
    const headers: IncomingHttpHeaders = {
      host: 'shop.example',
      accept: '*/*',
      connection: 'keep-alive, X-Secret',
      'keep-alive': 'timeout=5',
      'proxy-connection': 'keep-alive',
      'proxy-authorization': 'Basic YWxhZGRpbjpvcGVuc2VzYW1l',
      te: 'trailers',
      trailer: 'x-checksum',
      upgrade: 'h2c',
      'x-secret': 'only for the next hop',
      expect: '100-continue',
      authorization: 'Bearer end-to-end',
    };
    expect(forwardRequestHeaders(headers, UNTRUSTED, 'GET')).toEqual({
      host: 'shop.example',
      accept: '*/*',
      authorization: 'Bearer end-to-end',
      ...forwardedFor('shop.example'),
    });
  });

  it('reads Connection tokens case-insensitively, ignoring spaces and empty items', () => {
    const headers = { host: 'h', connection: 'close, X-A ,x-b,,', 'x-a': '1', 'x-b': '2', 'x-c': '3' };
    expect(forwardRequestHeaders(headers, UNTRUSTED, 'GET')).toEqual({ host: 'h', 'x-c': '3', ...forwardedFor('h') });
  });

  it('does not let Connection remove Content-Length, the framing of the body that follows', () => {
    // Dropped, a GET's body would reach the replica unframed and be read as a request of its own.
    const headers = { host: 'h', connection: 'content-length', 'content-length': '40' };
    expect(forwardRequestHeaders(headers, UNTRUSTED, 'GET')['content-length']).toBe('40');
  });

  it.each<[string, string, IncomingHttpHeaders, Pick<IncomingHttpHeaders, 'content-length' | 'transfer-encoding'>]>([
    ['a chunked POST as exactly chunked', 'POST', { 'transfer-encoding': 'chunked' }, { 'transfer-encoding': 'chunked' }],
    ['a chunked PUT whatever the case', 'PUT', { 'transfer-encoding': 'Chunked' }, { 'transfer-encoding': 'chunked' }],
    ['a POST with a length', 'POST', { 'content-length': '5' }, { 'content-length': '5' }],
    ['a POST without a body as Content-Length 0', 'POST', {}, { 'content-length': '0' }],
    ['a PATCH without a body as Content-Length 0', 'PATCH', {}, { 'content-length': '0' }],
    ['a PUT without a body as Content-Length 0', 'PUT', {}, { 'content-length': '0' }],
    ['a GET without a body as nothing', 'GET', {}, {}],
    ['a DELETE without a body as nothing', 'DELETE', {}, {}],
    ['a HEAD as nothing', 'HEAD', {}, {}],
    ['a GET with a length', 'GET', { 'content-length': '3' }, { 'content-length': '3' }],
  ])('frames %s', (_name, method, framing, expected) => {
    const out = forwardRequestHeaders({ host: 'h', ...framing }, UNTRUSTED, method);
    expect({ 'content-length': out['content-length'], 'transfer-encoding': out['transfer-encoding'] }).toEqual({
      'content-length': undefined,
      'transfer-encoding': undefined,
      ...expected,
    });
  });

  it('adds no Content-Length when it is not told the method', () => {
    expect(forwardRequestHeaders({ host: 'h' }, UNTRUSTED)).not.toHaveProperty('content-length');
  });

  it("replaces an untrusted client's claims about earlier hops, and drops Forwarded", () => {
    expect(forwardRequestHeaders({ host: 'shop.example', ...CLAIMS }, UNTRUSTED, 'GET')).toEqual({
      host: 'shop.example',
      ...forwardedFor('shop.example'),
    });
  });

  it("extends a trusted proxy's X-Forwarded-For and keeps its other claims", () => {
    expect(forwardRequestHeaders({ host: 'shop.example', ...CLAIMS }, TRUSTED, 'GET')).toEqual({
      host: 'shop.example',
      ...CLAIMS,
      'x-forwarded-for': `198.51.100.1, 198.51.100.2, ${CLIENT}`,
    });
  });

  it('joins a repeated X-Forwarded-For from a trusted proxy before extending it', () => {
    const out = forwardRequestHeaders({ host: 'h', 'x-forwarded-for': ['198.51.100.1', '198.51.100.2'] }, TRUSTED);
    expect(out['x-forwarded-for']).toBe(`198.51.100.1, 198.51.100.2, ${CLIENT}`);
  });

  it('sets every X-Forwarded-* header for a trusted proxy that sent none', () => {
    expect(forwardRequestHeaders({ host: 'shop.example' }, TRUSTED, 'GET')).toEqual({
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
    const out = forwardRequestHeaders(host === undefined ? {} : { host }, UNTRUSTED, 'GET');
    expect([out['x-forwarded-host'], out['x-forwarded-port']]).toEqual([forwardedHost, port]);
  });

  it('keeps Connection: upgrade and Upgrade for a WebSocket handshake', () => {
    const headers = {
      host: 'h',
      connection: 'Upgrade, X-Hop',
      upgrade: 'websocket',
      'x-hop': '1',
      'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
      'sec-websocket-version': '13',
    };
    expect(forwardRequestHeaders(headers, UNTRUSTED, 'GET', true)).toEqual({
      host: 'h',
      connection: 'upgrade',
      upgrade: 'websocket',
      'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
      'sec-websocket-version': '13',
      ...forwardedFor('h'),
    });
    expect(forwardRequestHeaders(headers, UNTRUSTED, 'GET')).not.toHaveProperty('upgrade');
  });

  it('leaves the incoming headers as they were', () => {
    const headers = Object.freeze({ host: 'h', connection: 'x-a', 'x-a': '1', ...CLAIMS });
    const copy = { ...headers };
    forwardRequestHeaders(headers, TRUSTED, 'POST', true);
    expect(headers).toEqual(copy);
  });
});

describe('forwardResponseHeaders', () => {
  it('drops hop-by-hop headers and those Connection names, keeping the order, case and repeats of the rest', () => {
    const raw = [
      'Content-Type', 'text/html',
      'Set-Cookie', 'a=1; Path=/',
      'Connection', 'keep-alive, X-Internal',
      'Keep-Alive', 'timeout=5',
      'Transfer-Encoding', 'chunked',
      'Set-Cookie', 'b=2; HttpOnly',
      'X-Internal', 'secret',
      'connection', 'X-Other',
      'x-other', 'also secret',
      'Trailer', 'X-Checksum',
      'Proxy-Authenticate', 'Basic',
      'Upgrade', 'h2c',
      'Cache-Control', 'no-cache',
    ];
    expect(forwardResponseHeaders(raw)).toEqual([
      'Content-Type', 'text/html',
      'Set-Cookie', 'a=1; Path=/',
      'Set-Cookie', 'b=2; HttpOnly',
      'Cache-Control', 'no-cache',
    ]);
  });

  it('keeps a response without hop-by-hop headers as it is', () => {
    const raw = ['Content-Length', '2', 'Set-Cookie', 'a=1', 'Set-Cookie', 'a=2'];
    expect(forwardResponseHeaders(raw)).toEqual(raw);
  });
});

describe('plainTextHeaders', () => {
  it('gives the length in bytes, not characters, and forbids caching', () => {
    expect(plainTextHeaders('café ☕\n')).toEqual({
      'content-type': 'text/plain; charset=utf-8',
      'content-length': 10,
      'cache-control': 'no-store',
    });
  });
});

describe('closeDelimitedHeaders', () => {
  it('drops framing and hop-by-hop headers, keeps repeats as lists, and says the connection closes', () => {
    const raw = ['Transfer-Encoding', 'chunked', 'Connection', 'keep-alive', 'Set-Cookie', 'a=1', 'X-Why', 'no', 'set-cookie', 'b=2'];
    expect(closeDelimitedHeaders(raw)).toEqual({ 'set-cookie': ['a=1', 'b=2'], 'x-why': 'no', connection: 'close' });
  });

  it('keeps a Content-Length, which still matches the body', () => {
    expect(closeDelimitedHeaders(['Content-Length', '4'])).toEqual({ 'content-length': '4', connection: 'close' });
  });
});

describe('isValidStatus (RFC 9110 section 15)', () => {
  it.each([
    [100, true],
    [200, true],
    [599, true],
    [0, false],
    [99, false],
    [600, false],
    [999, false],
  ])('%i is valid: %s', (code, valid) => {
    expect(isValidStatus(code)).toBe(valid);
  });
});

describe('safeReason (RFC 9112 section 4)', () => {
  it.each([
    ['OK', 'OK'],
    ['', ''],
    ['Tab\there', 'Tab\there'],
    ['caf\xe9', 'caf\xe9'],
    ['O\x01K', undefined],
    ['O\x7fK', undefined],
    ['line\r\nbreak', undefined],
    [undefined, undefined],
  ])('%j is sent as %j', (reason, sent) => {
    expect(safeReason(reason)).toBe(sent);
  });
});
