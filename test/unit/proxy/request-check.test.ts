import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { checkRequest, type RequestProblem } from '../../../src/proxy/request-check';

/** Headers Node keeps the first of when repeated; it joins the others with ", ". */
const FIRST_WINS = new Set(['host', 'content-length', 'content-type', 'user-agent', 'authorization']);

/** A parsed request as Node's server hands it over: raw header lines and the folded `headers`. */
function request(method: string, url: string, rawHeaders: readonly string[]): IncomingMessage {
  const req = new IncomingMessage(new Socket());
  req.method = method;
  req.url = url;
  req.rawHeaders = [...rawHeaders];
  const headers: Record<string, string> = {};
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] ?? '').toLowerCase();
    const value = rawHeaders[i + 1] ?? '';
    const before = headers[name];
    if (before === undefined) headers[name] = value;
    else if (!FIRST_WINS.has(name)) headers[name] = `${before}, ${value}`;
  }
  req.headers = headers;
  return req;
}

const HOST = ['Host', 'shop.example'];
const bad = (message: string): RequestProblem => ({ status: 400, message });

describe('checkRequest', () => {
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
    const req = request(method, url, headers);
    expect(checkRequest(req)).toBeUndefined();
    expect(req.url).toBe(url);
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
    expect(checkRequest(request(method, url, headers))).toEqual(bad(message));
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
    const req = request('GET', url, HOST);
    expect(checkRequest(req)).toBeUndefined();
    expect(req.url).toBe(originForm);
  });

  it('lets an HTTP/1.0 request leave Host out', () => {
    const req = request('GET', '/', []);
    req.httpVersion = '1.0';
    expect(checkRequest(req)).toBeUndefined();
    req.httpVersion = '1.1';
    expect(checkRequest(req)).toEqual(bad('invalid Host header'));
  });

  it.each(['shop%zz', '1.2.3.999', 'shop.example:99999', '[fd00::1::2]'])(
    'refuses an absolute-form request whose Host %j passes the pattern but is no valid host, without throwing',
    (host) => {
      // A throw here escapes the server's request handler and takes the whole balancer down.
      expect(checkRequest(request('GET', 'http://shop.example/', ['Host', host]))).toEqual(bad('invalid Host header'));
    },
  );
});
