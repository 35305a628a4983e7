import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { HOP_BY_HOP } from './upstream/response-head';

/**
 * A replica's refusal of a WebSocket handshake, as headers for a response
 * whose body the client reads until the connection closes (RFC 9112 section
 * 6.3): `Connection: close`, no hop-by-hop headers (nor those `Connection`
 * names), and no framing header of the replica's that no longer matches the
 * body. Repeated headers are kept as lists.
 */
export function closeDelimitedHeaders(rawHeaders: readonly string[]): IncomingHttpHeaders {
  const listed = new Set<string>();
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i]?.toLowerCase() !== 'connection') continue;
    for (const token of (rawHeaders[i + 1] ?? '').split(',')) listed.add(token.trim().toLowerCase());
  }
  const out: IncomingHttpHeaders = {};
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] ?? '').toLowerCase();
    if (HOP_BY_HOP.has(name) || listed.has(name)) continue;
    const value = rawHeaders[i + 1] ?? '';
    const seen = out[name];
    out[name] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value];
  }
  out.connection = 'close';
  return out;
}

/** Headers of a response the balancer makes up itself (errors, 503). */
export function plainTextHeaders(body: string): OutgoingHttpHeaders {
  return {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  };
}
