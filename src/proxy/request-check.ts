import type { IncomingMessage } from 'node:http';

export interface RequestProblem {
  readonly status: number;
  readonly message: string;
}

const bad = (message: string): RequestProblem => ({ status: 400, message });

/**
 * A Host is a reg-name or IP literal with an optional port (RFC 3986 section
 * 3.2.2); anything else, spaces included, is refused rather than forwarded.
 */
const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~!$&'()*+,;=%]+)(?::\d*)?$/;

/**
 * Refuses requests whose framing or target a replica might read differently
 * from the balancer (request smuggling; RFC 9112 sections 3.2 and 6.1), and
 * normalises an absolute-form target to origin-form. Node's parser already
 * refuses malformed request lines and header blocks, and Content-Length
 * together with Transfer-Encoding; this catches what it lets through.
 * May rewrite `req.url`; returns the problem, if any.
 */
export function checkRequest(req: IncomingMessage): RequestProblem | undefined {
  let hosts = 0;
  let encodings = 0;
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    if (name === undefined || name.length < 4) continue;
    const lower = name.toLowerCase();
    if (lower === 'host') hosts++;
    else if (lower === 'transfer-encoding') encodings++;
  }
  if (hosts > 1) return bad('more than one Host header');
  const host = req.headers.host;
  // HTTP/1.0 may leave Host out; Node's parser already refuses an HTTP/1.1 request without one.
  if (host === undefined ? req.httpVersion !== '1.0' : !HOST.test(host)) return bad('invalid Host header');

  if (encodings > 0) {
    const te = req.headers['transfer-encoding'] ?? '';
    // Only a single "chunked" is unambiguous: "chunked, chunked", "gzip, chunked" or "gzip" are refused,
    // as in HAProxy's reg-tests, because another parser could frame them differently.
    if (encodings > 1 || te.trim().toLowerCase() !== 'chunked') return bad('unsupported Transfer-Encoding');
    if (req.headers['content-length'] !== undefined) return bad('both Content-Length and Transfer-Encoding');
  }

  const url = req.url ?? '';
  if (url.startsWith('/') || (url === '*' && req.method === 'OPTIONS')) return undefined;
  return absoluteForm(req, url, host ?? '');
}

/** `GET http://host/path`: fine if it names the same authority as Host, then sent on as origin-form. */
function absoluteForm(req: IncomingMessage, url: string, host: string): RequestProblem | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return bad('invalid request target');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return bad('invalid request target');
  const authority = authorityOf(host);
  if (authority === undefined) return bad('invalid Host header');
  if (parsed.host.toLowerCase() !== authority.toLowerCase()) {
    return bad('request target and Host header name different hosts');
  }
  // The path goes on as the client wrote it, not as URL normalises it ("/a/../b", "%2e").
  const afterScheme = url.indexOf('//') + 2;
  const rest = url.slice(afterScheme).search(/[/?#]/);
  const target = rest === -1 ? '' : url.slice(afterScheme + rest).replace(/#.*$/, '');
  req.url = target.startsWith('/') ? target : `/${target}`;
  return undefined;
}

/**
 * Host as URL normalises it, or undefined where URL refuses what HOST let through
 * (`a%zz`, `1.2.3.999`, port 99999): a throw would escape the server's request
 * handler and stop the balancer.
 */
function authorityOf(host: string): string | undefined {
  try {
    return new URL(`http://${host}`).host;
  } catch {
    return undefined;
  }
}
