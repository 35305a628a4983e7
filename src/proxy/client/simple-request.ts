/**
 * Reads the one kind of request the balancer answers without Node's HTTP
 * server: a GET or HEAD in HTTP/1.1 whose whole head has arrived, written
 * plainly. Anything else (a body, Expect, an upgrade, HTTP/1.0, a partial
 * head, any byte Node's parser might read differently) is not read here at
 * all: the connection goes to Node's server, which reads it as it always has.
 * So this parser is a strict subset of Node's, and never the one that decides
 * an unusual case. Pure: bytes in, a request or nothing out.
 */

import { connectionTokens, TOKEN } from '../http-token';

/** A request read by `readSimpleRequest`. */
export interface SimpleRequest {
  readonly method: 'GET' | 'HEAD';
  /** Origin-form target, as the client wrote it. */
  readonly url: string;
  /** [name, value, ...] with the client's case, as Node's `rawHeaders`. */
  readonly rawHeaders: string[];
  /** The client did not ask to close (`Connection: close`). */
  readonly keepAlive: boolean;
  /** Bytes the head took, the final empty line included: the next request starts here. */
  readonly size: number;
}

/**
 * Longest head read here: half of Node's 16 KiB limit, so a head Node would
 * refuse as too large (431) is never one read here.
 */
export const MAX_SIMPLE_HEAD = 8 * 1024;
/** More header lines than this and Node's server reads the request. */
const MAX_HEADERS = 100;

/**
 * Visible ASCII, space and tab, and no whitespace at either end: no obs-text
 * or control characters, which parsers treat differently, and nothing to trim.
 */
const VALUE = /^(?:[\x21-\x7e](?:[\t\x20-\x7e]*[\x21-\x7e])?)?$/;
/** An origin-form target of RFC 3986 characters: nothing a parser could read two ways. */
const TARGET = /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@/?%]*$/;

/**
 * The request at the start of `data`, or undefined when it is not a simple
 * request whose head is all in `data`.
 */
export function readSimpleRequest(data: Buffer): SimpleRequest | undefined {
  const end = data.indexOf('\r\n\r\n', 0, 'latin1');
  if (end === -1 || end > MAX_SIMPLE_HEAD) return undefined;
  const lines = data.toString('latin1', 0, end).split('\r\n');
  if (lines.length - 1 > MAX_HEADERS) return undefined;
  const requestLine = (lines[0] as string).split(' ');
  if (requestLine.length !== 3 || requestLine[2] !== 'HTTP/1.1') return undefined;
  const method = requestLine[0];
  const url = requestLine[1] as string;
  if ((method !== 'GET' && method !== 'HEAD') || !TARGET.test(url)) return undefined;

  const rawHeaders: string[] = [];
  let keepAlive = true;
  let host = false;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    const colon = line.indexOf(':');
    if (colon <= 0) return undefined;
    const name = line.slice(0, colon);
    // One optional space after the colon, as clients write it; other whitespace is Node's to trim.
    const value = line.charCodeAt(colon + 1) === 0x20 ? line.slice(colon + 2) : line.slice(colon + 1);
    if (!TOKEN.test(name) || !VALUE.test(value)) return undefined;
    switch (name.length) {
      case 4:
        if (name.toLowerCase() === 'host') host = true;
        break;
      case 6: // expect
      case 7: // upgrade
      case 14: // content-length
      case 17: // transfer-encoding
        if (FRAMING_OR_PROTOCOL.has(name.toLowerCase())) return undefined;
        break;
      case 10:
        if (name.toLowerCase() === 'connection') {
          // llhttp reads a tab in this list its own way: Node's server decides that one.
          if (value.includes('\t')) return undefined;
          if (connectionTokens(value).has('close')) keepAlive = false;
        }
        break;
      case 16: // proxy-connection: llhttp reads it as Connection
        if (name.toLowerCase() === 'proxy-connection') return undefined;
        break;
    }
    rawHeaders.push(name, value);
  }
  // Node answers an HTTP/1.1 request without Host with 400 (requireHostHeader).
  if (!host) return undefined;
  return { method, url, rawHeaders, keepAlive, size: end + 4 };
}

/** Headers that give a request a body, an interim response or another protocol: Node's server handles those. */
const FRAMING_OR_PROTOCOL = new Set(['expect', 'upgrade', 'content-length', 'transfer-encoding']);
