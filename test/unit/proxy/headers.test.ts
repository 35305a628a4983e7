import { closeDelimitedHeaders, plainTextHeaders } from '../../../src/proxy/headers';

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

  it('drops the headers Connection names', () => {
    expect(closeDelimitedHeaders(['Connection', 'X-Hop', 'X-Hop', '1', 'X-End', '2'])).toEqual({ 'x-end': '2', connection: 'close' });
  });

  it('keeps a Content-Length, which still matches the body', () => {
    expect(closeDelimitedHeaders(['Content-Length', '4'])).toEqual({ 'content-length': '4', connection: 'close' });
  });
});
