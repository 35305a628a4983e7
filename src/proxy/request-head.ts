/**
 * What the balancer sends a replica for a client's request, decided in one
 * place: the request checks (RFC 9112 sections 3.2 and 6.1: anything a replica
 * could frame or target differently from the balancer is refused), hop-by-hop
 * removal (RFC 9110 section 7.6.1) and X-Forwarded-*. Pure: the client's
 * request line and raw headers in, the replica's request head out.
 */

/** The parts of a client's request this reads (an IncomingMessage has them). */
export interface ClientRequestFacts {
  readonly method?: string | undefined;
  readonly url?: string | undefined;
  readonly httpVersion: string;
  readonly rawHeaders: readonly string[];
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

/** How the request body goes to the replica. */
export type BodyFraming = 'none' | 'length' | 'chunked';

export interface UpstreamRequest {
  readonly kind: 'forward';
  /** Origin-form target, exactly as the client wrote it (an absolute-form target is cut down to it). */
  readonly path: string;
  /** The client's Host, or undefined for an HTTP/1.0 request without one (none is invented). */
  readonly host: string | undefined;
  /** Headers for the replica, flat: [name, value, ...]. */
  readonly headers: string[];
  readonly body: BodyFraming;
}

export interface RequestProblem {
  readonly kind: 'refuse';
  readonly status: number;
  readonly message: string;
}

const bad = (message: string): RequestProblem => ({ kind: 'refuse', status: 400, message });

/**
 * A Host is a reg-name or IP literal with an optional port (RFC 3986 section
 * 3.2.2); anything else, spaces included, is refused rather than forwarded.
 */
const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~!$&'()*+,;=%]+)(?::\d*)?$/;

/** Hop-by-hop request headers (RFC 9110 section 7.6.1), and Expect: Node's server already answered it. */
const DROPPED = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'te',
  'trailer',
  'upgrade',
  'expect',
]);

/** Never removed because `Connection` names them: Host is end-to-end, and the framing comes from the parsed message. */
const NOT_HOP_BY_HOP = new Set(['host', 'content-length', 'transfer-encoding']);

/** Lengths of the names that need a look in lower case; any other header goes on untouched, without a copy of its name. */
const SPECIAL_LENGTHS = new Set([2, 4, 6, 7, 9, 10, 14, 16, 17, 19]);

/** Methods for which a request without framing is sent with `Content-Length: 0` (RFC 9110 section 8.6). */
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/** What the client says about earlier hops, kept only from a trusted proxy. */
interface Claims {
  forwardedFor?: string;
  proto?: string;
  host?: string;
  port?: string;
  realIp?: string;
}

/**
 * Checks a client's request and writes the head a replica gets for it.
 * `upgrade` keeps `Connection: upgrade` and `Upgrade` for a WebSocket handshake.
 */
export function prepareRequest(
  req: ClientRequestFacts,
  hop: ForwardedFor,
  upgrade = false,
): UpstreamRequest | RequestProblem {
  const raw = req.rawHeaders;
  const listed = connectionListed(raw);
  const headers: string[] = [];
  const claims: Claims = {};
  let host: string | undefined;
  let hosts = 0;
  let encodings = 0;
  let encoding = '';
  let length: string | undefined;
  let upgradeValue: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    const value = raw[i + 1] as string;
    const special = SPECIAL_LENGTHS.has(name.length) || isXForwarded(name);
    const lower = special ? name.toLowerCase() : undefined;
    if (listed?.has(lower ?? name.toLowerCase()) === true) continue;
    if (lower === undefined) {
      headers.push(name, value);
      continue;
    }
    switch (lower) {
      case 'host':
        hosts++;
        host = value;
        headers.push(name, value);
        break;
      case 'transfer-encoding':
        encodings++;
        encoding = value;
        break;
      case 'content-length':
        length = value;
        break;
      case 'upgrade':
        upgradeValue = value;
        break;
      default:
        if (DROPPED.has(lower)) break;
        if (!claim(lower, value, hop.trusted, claims)) headers.push(name, value);
    }
  }

  if (hosts > 1) return bad('more than one Host header');
  // HTTP/1.0 may leave Host out; Node's parser already refuses an HTTP/1.1 request without one.
  if (host === undefined ? req.httpVersion !== '1.0' : !HOST.test(host)) return bad('invalid Host header');
  let body: BodyFraming = 'none';
  if (encodings > 0) {
    // Only a single "chunked" is unambiguous: "chunked, chunked", "gzip, chunked" or "gzip" are refused,
    // as in HAProxy's reg-tests, because another parser could frame them differently.
    if (encodings > 1 || encoding.trim().toLowerCase() !== 'chunked') return bad('unsupported Transfer-Encoding');
    if (length !== undefined) return bad('both Content-Length and Transfer-Encoding');
    headers.push('transfer-encoding', 'chunked');
    body = 'chunked';
  } else if (length !== undefined) {
    headers.push('content-length', length);
    if (length !== '0') body = 'length';
  } else if (BODY_METHODS.has(req.method ?? '')) {
    // No framing means no body (RFC 9112 section 6.3); say so, as a user agent should.
    headers.push('content-length', '0');
  }

  const path = originForm(req, host);
  if (typeof path !== 'string') return path;
  if (upgrade) {
    headers.push('connection', 'upgrade');
    if (upgradeValue !== undefined) headers.push('upgrade', upgradeValue);
  }
  addForwarded(headers, claims, hop, host ?? '');
  return { kind: 'forward', path, host, headers, body };
}

/** The request line and headers as bytes go on the wire. */
export function serializeRequestHead(method: string, path: string, headers: readonly string[]): string {
  let head = `${method} ${path} HTTP/1.1\r\n`;
  for (let i = 0; i < headers.length; i += 2) head += `${headers[i]}: ${headers[i + 1]}\r\n`;
  return `${head}\r\n`;
}

function isXForwarded(name: string): boolean {
  return name.length >= 12 && (name.charCodeAt(0) | 0x20) === 0x78 && name[1] === '-';
}

/** Header names listed in `Connection` (e.g. `Connection: close, X-Secret`), lower-cased; undefined when it lists none. */
function connectionListed(raw: readonly string[]): Set<string> | undefined {
  let listed: Set<string> | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    if (name.length !== 10 || name.toLowerCase() !== 'connection') continue;
    for (const token of (raw[i + 1] as string).split(',')) {
      const lower = token.trim().toLowerCase();
      // `upgrade` is hop-by-hop anyway, and a WebSocket handshake needs its value.
      if (lower === '' || lower === 'close' || lower === 'keep-alive' || lower === 'upgrade' || NOT_HOP_BY_HOP.has(lower)) {
        continue;
      }
      (listed ??= new Set()).add(lower);
    }
  }
  return listed;
}

/**
 * Records what a header claims about earlier hops; true when it is such a
 * header (it is then written by `addForwarded`, or dropped for an untrusted client,
 * so a client cannot forge the address a replica logs or trusts).
 */
function claim(lower: string, value: string, trusted: boolean, claims: Claims): boolean {
  switch (lower) {
    case 'x-forwarded-for':
      if (trusted) claims.forwardedFor = claims.forwardedFor === undefined ? value : `${claims.forwardedFor}, ${value}`;
      return true;
    case 'x-forwarded-proto':
      if (trusted) claims.proto ??= value;
      return true;
    case 'x-forwarded-host':
      if (trusted) claims.host ??= value;
      return true;
    case 'x-forwarded-port':
      if (trusted) claims.port ??= value;
      return true;
    case 'x-real-ip':
      if (trusted) claims.realIp ??= value;
      return true;
    case 'forwarded':
      return !trusted;
    default:
      return lower.startsWith('x-forwarded-') && !trusted;
  }
}

function addForwarded(headers: string[], claims: Claims, hop: ForwardedFor, host: string): void {
  const forwardedFor = claims.forwardedFor === undefined ? hop.clientAddress : `${claims.forwardedFor}, ${hop.clientAddress}`;
  headers.push(
    'x-forwarded-for',
    forwardedFor,
    'x-forwarded-proto',
    claims.proto ?? hop.proto,
    'x-forwarded-host',
    claims.host ?? host,
    'x-forwarded-port',
    claims.port ?? portOf(host) ?? String(hop.port),
    'x-real-ip',
    claims.realIp ?? hop.clientAddress,
  );
}

function portOf(host: string): string | undefined {
  return /:(\d+)$/.exec(host)?.[1];
}

/** The target as a replica gets it: origin-form as written, or an absolute-form target cut down to it. */
function originForm(req: ClientRequestFacts, host: string | undefined): string | RequestProblem {
  const url = req.url ?? '';
  if (url.startsWith('/') || (url === '*' && req.method === 'OPTIONS')) return url;
  return absoluteForm(url, host ?? '');
}

/** `GET http://host/path`: fine if it names the same authority as Host, then sent on as origin-form. */
function absoluteForm(url: string, host: string): string | RequestProblem {
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
  return target.startsWith('/') ? target : `/${target}`;
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
