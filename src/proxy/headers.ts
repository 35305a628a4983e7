import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

/**
 * Hop-by-hop headers describe one connection, not the message, so a proxy must
 * not forward them (RFC 9110 section 7.6.1), nor the headers that `Connection`
 * names. `transfer-encoding` is handled apart: Node re-frames bodies itself.
 * `trailer` goes too: trailers are not forwarded, and a `Trailer` header on a
 * message that is not chunked makes Node throw ERR_HTTP_TRAILER_INVALID
 * (node-http-proxy issue 1647).
 */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** Request headers the balancer answers itself: Node already sent `100 Continue`. */
const ANSWERED_HERE = new Set(['expect']);

/** Methods for which Node's client sends a chunked body unless told a length. */
const CHUNKED_BY_DEFAULT = (method: string): boolean =>
  !['GET', 'HEAD', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT'].includes(method);

/** Header names listed in `Connection` (e.g. `Connection: close, X-Secret`), lower-cased. */
function connectionTokens(value: string | string[] | undefined): Set<string> {
  const tokens = new Set<string>();
  if (value === undefined) return tokens;
  for (const line of Array.isArray(value) ? value : [value]) {
    for (const token of line.split(',')) {
      const name = token.trim().toLowerCase();
      if (name !== '') tokens.add(name);
    }
  }
  return tokens;
}

export interface ForwardedFor {
  /** The client's address as the balancer's socket saw it. */
  readonly clientAddress: string;
  /** `http` (the balancer does not terminate TLS). */
  readonly proto: string;
  /** The client is a proxy we trust: keep and extend its X-Forwarded-* headers. */
  readonly trusted: boolean;
  /** The balancer's own port, for X-Forwarded-Port when the client did not name one. */
  readonly port: number;
}

/**
 * The headers to send a replica for a client's request: without hop-by-hop
 * headers, with X-Forwarded-* and X-Real-IP set by us. Headers from an
 * untrusted client that claim to describe earlier hops are replaced, never
 * extended, so a client cannot forge the address a replica logs or trusts.
 * `keepUpgrade` keeps `Connection: upgrade` and `Upgrade` for a WebSocket handshake.
 */
export function forwardRequestHeaders(
  headers: IncomingHttpHeaders,
  hop: ForwardedFor,
  method?: string,
  keepUpgrade = false,
): IncomingHttpHeaders {
  const listed = connectionTokens(headers.connection);
  const out: IncomingHttpHeaders = {};
  for (const name of Object.keys(headers)) {
    if (HOP_BY_HOP.has(name) || ANSWERED_HERE.has(name) || listed.has(name)) continue;
    if (!hop.trusted && (name.startsWith('x-forwarded-') || name === 'forwarded' || name === 'x-real-ip')) continue;
    out[name] = headers[name];
  }
  // The body's framing comes from the parsed message, never from what `Connection` lists: with
  // `Connection: content-length` a GET's body would go on unframed and the replica would read it
  // as a request of its own (request smuggling).
  if (headers['transfer-encoding'] !== undefined) out['transfer-encoding'] = 'chunked';
  else if (headers['content-length'] !== undefined) out['content-length'] = headers['content-length'];
  else if (method !== undefined && CHUNKED_BY_DEFAULT(method)) {
    // No framing means no body (RFC 9112 section 6.3); say so, or Node would send an empty chunked body.
    out['content-length'] = '0';
  }
  if (keepUpgrade) {
    out.connection = 'upgrade';
    if (headers.upgrade !== undefined) out.upgrade = headers.upgrade;
  }
  const previous = hop.trusted ? headers['x-forwarded-for'] : undefined;
  out['x-forwarded-for'] = previous ? `${joinValues(previous)}, ${hop.clientAddress}` : hop.clientAddress;
  out['x-forwarded-proto'] = (hop.trusted && headers['x-forwarded-proto']) || hop.proto;
  const host = headers.host ?? '';
  out['x-forwarded-host'] = (hop.trusted && headers['x-forwarded-host']) || host;
  out['x-forwarded-port'] = (hop.trusted && headers['x-forwarded-port']) || portOf(host) || String(hop.port);
  if (!hop.trusted || out['x-real-ip'] === undefined) out['x-real-ip'] = hop.clientAddress;
  return out;
}

function joinValues(value: string | string[]): string {
  return Array.isArray(value) ? value.join(', ') : value;
}

function portOf(host: string): string | undefined {
  return /:(\d+)$/.exec(host)?.[1];
}

/**
 * A replica's response headers as a flat [name, value, ...] list for
 * `res.writeHead`, without hop-by-hop headers. Keeps repeated headers such as
 * Set-Cookie as they came. Node frames the body for the client itself.
 */
export function forwardResponseHeaders(rawHeaders: readonly string[]): string[] {
  let listed: Set<string> | undefined;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i]?.toLowerCase() === 'connection') {
      listed ??= new Set();
      for (const token of connectionTokens(rawHeaders[i + 1])) listed.add(token);
    }
  }
  const out: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i];
    const value = rawHeaders[i + 1];
    if (name === undefined || value === undefined) break;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || listed?.has(lower)) continue;
    out.push(name, value);
  }
  return out;
}

/**
 * The same headers as an object, for a response whose body the client reads
 * until the connection closes (RFC 9112 section 6.3): `Connection: close`,
 * and no framing header of the replica's that no longer matches the body.
 */
export function closeDelimitedHeaders(rawHeaders: readonly string[]): IncomingHttpHeaders {
  const flat = forwardResponseHeaders(rawHeaders);
  const out: IncomingHttpHeaders = {};
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const name = (flat[i] ?? '').toLowerCase();
    const value = flat[i + 1] ?? '';
    const seen = out[name];
    out[name] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value];
  }
  out.connection = 'close';
  return out;
}

/**
 * Status codes outside 100-599 are invalid, and a client should treat them as
 * a server error (RFC 9110 section 15). Node's `writeHead` throws below 100.
 */
export function isValidStatus(code: number): boolean {
  return Number.isInteger(code) && code >= 100 && code <= 599;
}

/** reason-phrase = *( HTAB / SP / VCHAR / obs-text ) (RFC 9112 section 4); Node's `writeHead` throws on anything else. */
const REASON = /^[\t\x20-\x7e\x80-\xff]*$/;

/** The replica's reason phrase if it may be sent on, else undefined (Node then uses the standard one). */
export function safeReason(reason: string | undefined): string | undefined {
  return reason !== undefined && REASON.test(reason) ? reason : undefined;
}

/** Headers of a response the balancer makes up itself (errors, 503). */
export function plainTextHeaders(body: string): OutgoingHttpHeaders {
  return {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  };
}
