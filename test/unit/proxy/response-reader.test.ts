import { UpstreamClosedError, UpstreamProtocolError } from '../../../src/errors';
import {
  QUIRK_BARE_LF,
  QUIRK_NO_REASON,
  QUIRK_OBS_FOLD,
  QUIRK_SPACE_BEFORE_COLON,
  type ResponseHead,
} from '../../../src/proxy/upstream/response-head';
import { MAX_HEAD_BYTES, ResponseReader } from '../../../src/proxy/upstream/response-reader';

/** What a reader made of some bytes: the head, the body as text, whether it completed, and any bytes after. */
interface Read {
  head?: ResponseHead;
  body: string;
  complete: boolean;
  trailing: boolean;
}

/** Feeds `pieces` to a reader one by one, as a socket would deliver them; `eof` then ends the connection. */
function read(pieces: readonly (string | Buffer)[], { head = false, eof = false } = {}): Read {
  const out: Read = { body: '', complete: false, trailing: false };
  const reader = new ResponseReader({
    onHead: (h) => {
      out.head = h;
    },
    onBody: (data) => {
      out.body += data.toString('latin1');
    },
    onComplete: () => {
      out.complete = true;
    },
  });
  reader.begin({ head });
  for (const piece of pieces) reader.push(Buffer.isBuffer(piece) ? piece : Buffer.from(piece, 'latin1'));
  if (eof) reader.end();
  out.trailing = reader.trailing;
  return out;
}

/** Every way of cutting `text` in two, and one byte at a time: framing must not depend on how bytes arrive. */
function splits(text: string): string[][] {
  const out: string[][] = [[...text]];
  for (let i = 1; i < text.length; i++) out.push([text.slice(0, i), text.slice(i)]);
  return out;
}

const refused = (pieces: readonly string[], opts = {}): string => {
  try {
    read(pieces, opts);
  } catch (err) {
    if (err instanceof UpstreamProtocolError) return err.message;
    throw err;
  }
  throw new Error('the reader accepted it');
};

describe('ResponseReader: framing', () => {
  it('reads a Content-Length body however the bytes are split, and nothing after it', () => {
    const response = 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: 1\r\n\r\nhello';
    for (const pieces of splits(response)) {
      const r = read(pieces);
      expect(r).toMatchObject({ body: 'hello', complete: true, trailing: false });
      expect(r.head).toMatchObject({ status: 200, reason: 'OK', framing: 'length', length: 5, keepAlive: true });
      expect(r.head?.headers).toEqual(['Content-Length', '5', 'X-A', '1']);
    }
  });

  it('de-chunks a chunked body however the bytes are split, skipping extensions and trailers', () => {
    const response =
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n' +
      '5;ext=1\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\nX-Checksum: 1\r\n\r\n';
    for (const pieces of splits(response)) {
      const r = read(pieces);
      expect(r).toMatchObject({ body: 'hello world', complete: true, trailing: false });
      expect(r.head?.framing).toBe('chunked');
      expect(r.head?.headers).toEqual([]);
    }
  });

  it('reads a body delimited by the connection closing (HTTP/1.0, python http.server)', () => {
    const r = read(['HTTP/1.0 200 OK\r\nServer: SimpleHTTP/0.6\r\n\r\nall ', 'of it'], { eof: true });
    expect(r).toMatchObject({ body: 'all of it', complete: true });
    expect(r.head).toMatchObject({ minor: 0, framing: 'close', keepAlive: false });
  });

  it.each<[string, string, string, boolean]>([
    ['a HEAD answer', 'HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n', 'HEAD', true],
    ['a 204', 'HTTP/1.1 204 No Content\r\n\r\n', 'GET', false],
    ['a 304 with a Content-Length', 'HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n', 'GET', true],
  ])('reads no body for %s, and keeps the Content-Length it describes', (_name, response, method, keepsLength) => {
    const r = read([response], { head: method === 'HEAD' });
    expect(r).toMatchObject({ body: '', complete: true });
    expect(r.head?.framing).toBe('none');
    expect(r.head?.headers.includes('Content-Length')).toBe(keepsLength);
  });

  it('drops a Content-Length from a 204, which may not have one (RFC 9110 section 8.6)', () => {
    expect(read(['HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n']).head?.headers).toEqual([]);
  });

  it('skips interim 1xx responses and reads the final one', () => {
    const r = read(['HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n', 'HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok']);
    expect(r.head?.status).toBe(201);
    expect(r.body).toBe('ok');
  });

  it('notes bytes after the end of a response: the connection is out of step', () => {
    expect(read(['HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA']).trailing).toBe(true);
  });

  it.each<[string, boolean, string]>([
    ['HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n', true, 'HTTP/1.1'],
    ['HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n', false, 'HTTP/1.1 with Connection: close'],
    ['HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n', false, 'HTTP/1.0'],
    ['HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n', true, 'HTTP/1.0 with keep-alive'],
    ['HTTP/1.1 200 OK\r\n\r\n', false, 'a body read until close'],
  ])('keeps the connection alive after %j: %s', (response, keepAlive) => {
    expect(read([response]).head?.keepAlive).toBe(keepAlive);
  });

  it("takes a shorter idle time from the replica's Keep-Alive hint", () => {
    expect(read(['HTTP/1.1 200 OK\r\nKeep-Alive: timeout=5, max=100\r\nContent-Length: 0\r\n\r\n']).head?.idleHintMs).toBe(5_000);
  });

  it('says a response was cut short, or never came, when the connection closes first', () => {
    const cut = new ResponseReader({ onHead: () => {}, onBody: () => {}, onComplete: () => {} });
    cut.begin({ head: false });
    expect(cut.untouched).toBe(true);
    expect(() => cut.end()).toThrow(UpstreamClosedError);
    cut.begin({ head: false });
    cut.push(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\npart'));
    expect(cut.untouched).toBe(false);
    expect(() => cut.end()).toThrow(UpstreamClosedError);
  });
});

describe('ResponseReader: replicas that HAProxy and nginx accept', () => {
  it('reads bare-LF header lines (busybox httpd relaying a shell CGI) and names the quirk', () => {
    const response = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\nX-Replica: 1aa228574af5\n\n1aa228574af5\n';
    const r = read([response], { eof: true });
    expect(r.head?.headers).toEqual(['Content-Type', 'text/plain', 'X-Replica', '1aa228574af5']);
    expect(r.body).toBe('1aa228574af5\n');
    expect(r.head?.quirks).toBe(QUIRK_BARE_LF);
  });

  it('reads a chunked body with bare-LF lines and spaces after the size', () => {
    const r = read(['HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n3  \nabc\n0\n\n']);
    expect(r).toMatchObject({ body: 'abc', complete: true });
  });

  it('unfolds a folded header value to one space (RFC 9112 section 5.2)', () => {
    const r = read(['HTTP/1.1 200 OK\r\nX-Long: one\r\n  two\r\n\tthree\r\nContent-Length: 0\r\n\r\n']);
    expect(r.head?.headers).toEqual(['X-Long', 'one two three', 'Content-Length', '0']);
    expect(r.head?.quirks).toBe(QUIRK_OBS_FOLD);
  });

  it('removes whitespace between a header name and its colon (RFC 9112 section 5.1)', () => {
    const r = read(['HTTP/1.1 200 OK\r\nX-Spaced : yes\r\nContent-Length: 0\r\n\r\n']);
    expect(r.head?.headers).toEqual(['X-Spaced', 'yes', 'Content-Length', '0']);
    expect(r.head?.quirks).toBe(QUIRK_SPACE_BEFORE_COLON);
  });

  it('reads a status line without a reason phrase', () => {
    const r = read(['HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n']);
    expect(r.head).toMatchObject({ status: 200, reason: undefined, quirks: QUIRK_NO_REASON });
  });

  it('accepts the same Content-Length twice, or as a list of one value', () => {
    expect(read(['HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok']).head?.headers).toEqual([
      'Content-Length',
      '2',
    ]);
    expect(read(['HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\nok']).body).toBe('ok');
  });

  it('skips empty lines before the status line (a stray CRLF after an earlier body)', () => {
    expect(read(['\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n']).head?.status).toBe(200);
  });

  it('removes hop-by-hop headers and those Connection names, keeping order, case and repeats', () => {
    const r = read([
      'HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nSet-Cookie: a=1\r\nConnection: keep-alive, X-Internal\r\n' +
        'Keep-Alive: timeout=5\r\nSet-Cookie: b=2\r\nX-Internal: secret\r\nProxy-Authenticate: Basic\r\n' +
        'Upgrade: h2c\r\nTrailer: X-Sum\r\nContent-Length: 0\r\n\r\n',
    ]);
    expect(r.head?.headers).toEqual(['Content-Type', 'text/html', 'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2', 'Content-Length', '0']);
  });
});

describe('ResponseReader: what cannot be framed one way only', () => {
  it.each<[string, string]>([
    ['Content-Length with Transfer-Encoding', 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n'],
    ['two different Content-Lengths', 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n'],
    ['a list of different Content-Lengths', 'HTTP/1.1 200 OK\r\nContent-Length: 3, 4\r\n\r\n'],
    ['a Content-Length that is not a number', 'HTTP/1.1 200 OK\r\nContent-Length: 3x\r\n\r\n'],
    ['a negative Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n'],
    ['chunked twice', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n'],
    ['chunked before another coding', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n'],
    ['Transfer-Encoding in HTTP/1.0', 'HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n'],
    ['a bare CR in a header line', 'HTTP/1.1 200 OK\r\nX-A: 1\rX-B: 2\r\n\r\n'],
    ['a header line without a colon', 'HTTP/1.1 200 OK\r\nNo colon here\r\n\r\n'],
    ['a header name with a space inside', 'HTTP/1.1 200 OK\r\nX A: 1\r\n\r\n'],
    ['a control character in a value', 'HTTP/1.1 200 OK\r\nX-A: a\x01b\r\n\r\n'],
    ['a fold before any header', 'HTTP/1.1 200 OK\r\n folded\r\n\r\n'],
    ['no status line (HTTP/0.9)', 'hello\r\n\r\n'],
    ['status 600', 'HTTP/1.1 600 Odd\r\n\r\n'],
    ['status 099', 'HTTP/1.1 099 Odd\r\n\r\n'],
    ['HTTP/2 in an HTTP/1.1 status line', 'HTTP/2 200 OK\r\n\r\n'],
    ['101 to a request that asked for no upgrade', 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n'],
    ['a chunk size that is not hex', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n'],
    ['chunk data longer than its size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n'],
  ])('refuses %s', (_name, response) => {
    expect(refused([response])).toMatch(/^replica sent /);
  });

  it(`refuses a head over ${MAX_HEAD_BYTES} bytes, without waiting for its end`, () => {
    const huge = `HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(MAX_HEAD_BYTES)}`;
    expect(refused([huge])).toMatch(/response head over/);
  });
});
