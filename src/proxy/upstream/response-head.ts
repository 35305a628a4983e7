import { UpstreamProtocolError } from '../../errors';
import { connectionTokens, TOKEN } from '../http-token';

/**
 * How the body of a response is delimited (RFC 9112 section 6.3).
 * `none`: no body at all (a HEAD answer, 1xx, 204, 304).
 */
export type Framing = 'none' | 'length' | 'chunked' | 'close';

/** What a replica's response head says, read leniently, with hop-by-hop headers already removed. */
export interface ResponseHead {
  /** 0 for HTTP/1.0, 1 for HTTP/1.1 (and any later 1.x). */
  readonly minor: number;
  readonly status: number;
  /** The replica's reason phrase, or undefined where it may not be sent on (Node then writes the standard one). */
  readonly reason: string | undefined;
  /** Headers to forward, as a flat [name, value, ...] list for `res.writeHead`. */
  readonly headers: string[];
  readonly framing: Framing;
  /** The body's length, when `framing` is `length`. */
  readonly length: number;
  /** The replica lets the connection carry another request after this one. */
  readonly keepAlive: boolean;
  /** A `Keep-Alive: timeout=N` hint from the replica, in ms. */
  readonly idleHintMs: number | undefined;
  /** Leniencies this head needed (bit set of QUIRK_*), so a sloppy replica can be named once in the log. */
  readonly quirks: number;
}

/** Header lines ended by a bare LF instead of CRLF (busybox httpd relaying a shell CGI). */
export const QUIRK_BARE_LF = 1;
/** A header value continued on the next line (obs-fold, RFC 9112 section 5.2): unfolded to one space. */
export const QUIRK_OBS_FOLD = 2;
/** Whitespace between a header name and its colon: removed, as RFC 9112 section 5.1 tells a proxy to. */
export const QUIRK_SPACE_BEFORE_COLON = 4;
/** A status line without a reason phrase, or without the space before it. */
export const QUIRK_NO_REASON = 8;

export function describeQuirks(quirks: number): string[] {
  const out: string[] = [];
  if (quirks & QUIRK_BARE_LF) out.push('bare LF line endings');
  if (quirks & QUIRK_OBS_FOLD) out.push('folded header lines');
  if (quirks & QUIRK_SPACE_BEFORE_COLON) out.push('whitespace before a header colon');
  if (quirks & QUIRK_NO_REASON) out.push('status line without a reason phrase');
  return out;
}

/** What the request asked for, which changes how its response is framed. */
export interface RequestFacts {
  /** A HEAD request: the answer has no body, whatever its headers say (RFC 9110 section 9.3.2). */
  readonly head: boolean;
}

/** field-value: VCHAR, obs-text, SP and HTAB (RFC 9110 section 5.5); Node's writeHead throws on the rest. */
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
const REASON = /^[\t\x20-\x7e\x80-\xff]*$/;
const STATUS_LINE = /^HTTP\/1\.(\d) (\d{3})(?:( )(.*))?$/;

const invalid = (why: string): UpstreamProtocolError => new UpstreamProtocolError(`replica sent ${why}`);

/**
 * Hop-by-hop response headers (RFC 9110 section 7.6.1): they describe the
 * replica's connection, not the message. `trailer` too: trailers are not
 * forwarded.
 */
export const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/**
 * Lengths of the header names that need a look in lower case (framing and
 * hop-by-hop, RFC 9110 section 7.6.1): any other header is passed on without
 * allocating a lower-cased copy of its name.
 */
const SPECIAL_LENGTHS = new Set([2, 7, 10, 14, 16, 17, 18]);

/**
 * Parses a response head (status line and header lines, the final empty line
 * excluded), read as leniently as HAProxy and nginx read one: bare LF line
 * endings, obs-fold and whitespace before a colon are accepted and normalised;
 * anything that could frame the body two ways is refused.
 */
export function parseResponseHead(text: string, request: RequestFacts): ResponseHead {
  let quirks = 0;
  let pos = 0;
  const lines: string[] = [];
  while (pos < text.length) {
    let end = text.indexOf('\n', pos);
    if (end === -1) end = text.length;
    let line = text.slice(pos, end);
    if (line.endsWith('\r')) line = line.slice(0, -1);
    else if (end < text.length) quirks |= QUIRK_BARE_LF;
    // A lone CR is where two parsers may disagree on a line's end: never guess.
    if (line.includes('\r')) throw invalid('a bare CR in its response head');
    if (lines.length === 0 && line === '') {
      // Stray empty lines before a status line (extra CRLF after a previous body) are skipped.
      pos = end + 1;
      continue;
    }
    if (lines.length > 0 && (line.startsWith(' ') || line.startsWith('\t'))) {
      if (lines.length === 1) throw invalid('a header line that starts with whitespace');
      lines[lines.length - 1] += ` ${line.trim()}`;
      quirks |= QUIRK_OBS_FOLD;
    } else {
      lines.push(line);
    }
    pos = end + 1;
  }

  const statusMatch = STATUS_LINE.exec(lines[0] ?? '');
  if (statusMatch === null) throw invalid(`an invalid status line: ${JSON.stringify((lines[0] ?? '').slice(0, 80))}`);
  const minor = Number(statusMatch[1]) === 0 ? 0 : 1;
  const status = Number(statusMatch[2]);
  if (status < 100 || status > 599) throw invalid(`an invalid status ${status}`);
  if (statusMatch[3] === undefined || statusMatch[4] === '') quirks |= QUIRK_NO_REASON;
  const rawReason = statusMatch[4] ?? '';
  const reason = rawReason !== '' && REASON.test(rawReason) ? rawReason : undefined;

  const headers: string[] = [];
  let lengths: string[] | undefined;
  /** Where the first Content-Length sits in `headers`: it keeps its place, with one clean value. */
  let lengthAt = -1;
  let transferEncoding: string | undefined;
  let connection: string | undefined;
  let keepAliveValue: string | undefined;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    const colon = line.indexOf(':');
    if (colon <= 0) throw invalid(`a header line without a name and colon: ${JSON.stringify(line.slice(0, 80))}`);
    let name = line.slice(0, colon);
    if (!TOKEN.test(name)) {
      const trimmed = name.trimEnd();
      if (trimmed === name || !TOKEN.test(trimmed)) throw invalid(`an invalid header name ${JSON.stringify(name)}`);
      name = trimmed;
      quirks |= QUIRK_SPACE_BEFORE_COLON;
    }
    const value = line.slice(colon + 1).trim();
    if (!FIELD_VALUE.test(value)) throw invalid(`control characters in header ${name}`);
    if (!SPECIAL_LENGTHS.has(name.length)) {
      headers.push(name, value);
      continue;
    }
    const lower = name.toLowerCase();
    switch (lower) {
      case 'content-length':
        (lengths ??= []).push(value);
        if (lengthAt === -1) {
          lengthAt = headers.length;
          headers.push(name, value);
        }
        break;
      case 'transfer-encoding':
        transferEncoding = transferEncoding === undefined ? value : `${transferEncoding}, ${value}`;
        break;
      case 'connection':
        connection = connection === undefined ? value : `${connection}, ${value}`;
        break;
      case 'keep-alive':
        keepAliveValue = value;
        break;
      default:
        if (!HOP_BY_HOP.has(lower)) headers.push(name, value);
    }
  }

  const listed = connection === undefined ? undefined : connectionTokens(connection);
  const keepAlive = listed?.has('close') !== true && (minor === 1 || listed?.has('keep-alive') === true);
  const framed = framing(status, request, minor, lengths, transferEncoding);
  if (lengthAt !== -1) {
    // A HEAD or 304 answer's Content-Length describes the full representation: the client may use it.
    // A 204 has none (RFC 9110 section 8.6).
    if (status === 204) headers.splice(lengthAt, 2);
    else headers[lengthAt + 1] = String(framed.length);
  }
  return {
    minor,
    status,
    reason,
    headers: listed === undefined ? headers : withoutListed(headers, listed),
    framing: framed.framing,
    length: framed.length,
    keepAlive: keepAlive && framed.framing !== 'close',
    idleHintMs: idleHint(keepAliveValue),
    quirks,
  };
}

function framing(
  status: number,
  request: RequestFacts,
  minor: number,
  lengths: readonly string[] | undefined,
  transferEncoding: string | undefined,
): { framing: Framing; length: number } {
  const length = lengths === undefined ? -1 : contentLength(lengths);
  if (transferEncoding !== undefined) {
    // RFC 9112 section 6.1: in HTTP/1.0 the framing is faulty; with a Content-Length too, two parsers
    // may frame the body differently (response splitting). Either way the connection cannot be trusted.
    if (minor === 0) throw invalid('Transfer-Encoding in an HTTP/1.0 response');
    if (lengths !== undefined) throw invalid('both Content-Length and Transfer-Encoding');
  }
  if (request.head || (status >= 100 && status < 200) || status === 204 || status === 304) {
    return { framing: 'none', length };
  }
  if (transferEncoding !== undefined) {
    const codings = transferEncoding.split(',').map((c) => c.trim().toLowerCase());
    const chunked = codings.filter((c) => c === 'chunked').length;
    if (chunked > 1 || (chunked === 1 && codings[codings.length - 1] !== 'chunked')) {
      throw invalid(`an ambiguous Transfer-Encoding: ${transferEncoding}`);
    }
    // RFC 9112 section 6.3: a response whose final coding is not chunked is read until the connection closes.
    return chunked === 1 ? { framing: 'chunked', length: -1 } : { framing: 'close', length: -1 };
  }
  if (length >= 0) return { framing: 'length', length };
  return { framing: 'close', length: -1 };
}

/** One value, or a list of identical values ("42, 42" is allowed by RFC 9110 section 8.6); else refused. */
function contentLength(values: readonly string[]): number {
  let found: string | undefined;
  for (const value of values) {
    for (const part of value.split(',')) {
      const digits = part.trim();
      if (!/^\d{1,15}$/.test(digits)) throw invalid(`an invalid Content-Length: ${JSON.stringify(value)}`);
      if (found !== undefined && Number(found) !== Number(digits)) throw invalid('two different Content-Lengths');
      found = digits;
    }
  }
  return Number(found);
}

/** Drops the headers `Connection` names: they describe the replica's connection, not the message. */
function withoutListed(headers: readonly string[], listed: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i] as string;
    if (!listed.has(name.toLowerCase())) out.push(name, headers[i + 1] as string);
  }
  return out;
}

function idleHint(value: string | undefined): number | undefined {
  const seconds = value === undefined ? undefined : /(?:^|[\s,])timeout=(\d+)/i.exec(value)?.[1];
  return seconds === undefined ? undefined : Number(seconds) * 1000;
}
