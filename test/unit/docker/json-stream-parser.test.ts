import { JsonStreamParser } from '../../../src/docker/json-stream-parser';

/** Two events with what trips a naive splitter: braces and escaped quotes in strings, multi-byte characters. */
const EVENTS = [
  { Type: 'container', Action: 'start', Actor: { ID: 'a1', Attributes: { name: 'web-1', note: 'say "hi" {not a brace}', quoted: 'a"}' } } },
  { Type: 'container', Action: 'die', Actor: { ID: 'b2', Attributes: { 'com.example.label': 'café ☕ 🚀', path: 'C:\\tmp\\' } } },
];
const TEXT = EVENTS.map((e) => JSON.stringify(e)).join('\n') + '\n';
const BYTES = Buffer.from(TEXT, 'utf8');

/** Feeds the chunks to one parser and returns every value and every reported error text. */
function feed(chunks: ReadonlyArray<Buffer | string>) {
  const parser = new JsonStreamParser();
  const values: unknown[] = [];
  const errors: string[] = [];
  for (const chunk of chunks) values.push(...parser.push(chunk, (text) => errors.push(text)));
  return { values, errors };
}

describe('JsonStreamParser', () => {
  it('parses objects split at every byte position, multi-byte characters included', () => {
    // TEXT has 2-, 3- and 4-byte UTF-8 characters, so some splits fall inside one.
    expect(BYTES.length).toBeGreaterThan(TEXT.length);
    for (let at = 0; at <= BYTES.length; at++) {
      const result = feed([BYTES.subarray(0, at), BYTES.subarray(at)]);
      expect({ at, ...result }).toEqual({ at, values: EVENTS, errors: [] });
    }
  });

  it('parses a stream that arrives one byte at a time', () => {
    const chunks = [...BYTES].map((byte) => Buffer.from([byte]));
    expect(feed(chunks)).toEqual({ values: EVENTS, errors: [] });
  });

  it.each<[string, string]>([
    ['one per line', TEXT],
    ['with no separator', EVENTS.map((e) => JSON.stringify(e)).join('')],
    ['with CRLF and blank lines', `\r\n${EVENTS.map((e) => JSON.stringify(e)).join('\r\n\r\n')}\r\n`],
  ])('parses several objects merged in one chunk, %s', (_name, text) => {
    expect(feed([Buffer.from(text)])).toEqual({ values: EVENTS, errors: [] });
  });

  it('returns each object as soon as its closing brace arrives, and keeps the rest for later', () => {
    const parser = new JsonStreamParser();
    const first = JSON.stringify(EVENTS[0]);
    const second = JSON.stringify(EVENTS[1]);
    expect(parser.push(`${first}\n${second.slice(0, 10)}`)).toEqual([EVENTS[0]]);
    expect(parser.push(second.slice(10, 20))).toEqual([]);
    expect(parser.push(`${second.slice(20)}\n`)).toEqual([EVENTS[1]]);
  });

  it('reports a malformed object to onError and goes on with the next one', () => {
    const bad = '{"Type": "container", "Action": start}';
    const { values, errors } = feed([`${JSON.stringify(EVENTS[0])}\n${bad}\n`, `${JSON.stringify(EVENTS[1])}\n`]);
    expect(values).toEqual(EVENTS);
    expect(errors).toEqual([bad]);
  });

  it('passes the parse error along with the text', () => {
    const parser = new JsonStreamParser();
    const onError = jest.fn<void, [string, Error]>();
    parser.push('{"a": tru}', onError);
    expect(onError).toHaveBeenCalledTimes(1);
    expect(onError.mock.calls[0]?.[0]).toBe('{"a": tru}');
    expect(onError.mock.calls[0]?.[1]).toBeInstanceOf(SyntaxError);
  });

  it('skips text between objects and stray closing braces', () => {
    expect(feed(['noise } {"a":1} ]] {"b":"}"}'])).toEqual({ values: [{ a: 1 }, { b: '}' }], errors: [] });
  });

  it('parses nested objects and arrays as one value', () => {
    const nested = { a: { b: { c: [1, { d: '{' }] } } };
    expect(feed([JSON.stringify(nested).slice(0, 7), JSON.stringify(nested).slice(7)]).values).toEqual([nested]);
  });

  it('handles an escaped backslash right before a closing quote', () => {
    const text = '{"path":"C:\\\\"}{"next":true}';
    expect(feed([text]).values).toEqual([{ path: 'C:\\' }, { next: true }]);
  });
});
