import { parsePortEntry, parsePortRange } from '../../../src/compose/port-spec';

describe('parsePortEntry', () => {
  it.each<[unknown, object]>([
    ['80', { hostIp: undefined, published: undefined, target: { start: 80, end: 80 }, protocol: 'tcp' }],
    [80, { published: undefined, target: { start: 80, end: 80 } }],
    ['8080:80', { hostIp: undefined, published: '8080', target: { start: 80, end: 80 } }],
    ['127.0.0.1:8080:80/tcp', { hostIp: '127.0.0.1', published: '8080', protocol: 'tcp' }],
    ['127.0.0.1::80', { hostIp: '127.0.0.1', published: undefined }],
    ['[::1]:8080:80', { hostIp: '::1', published: '8080' }],
    ['::1:8080:80', { hostIp: '::1', published: '8080' }],
    ['8000-8010:80', { published: '8000-8010', target: { start: 80, end: 80 } }],
    ['9000-9001:80-81', { target: { start: 80, end: 81 } }],
    ['53:53/UDP', { protocol: 'udp' }],
    [
      '${HOST:-0.0.0.0}:${PORT:-8080}:80',
      { hostIp: '${HOST:-0.0.0.0}', published: '${PORT:-8080}', target: { start: 80, end: 80 } },
    ],
    ['8080:${TARGET}', { published: '8080', target: undefined }],
    [
      { target: 80, published: '8080', host_ip: '127.0.0.1', protocol: 'tcp', mode: 'host' },
      { text: '127.0.0.1:8080:80/tcp', hostIp: '127.0.0.1', published: '8080', target: { start: 80, end: 80 } },
    ],
    [
      { target: '80', published: 8000 },
      { published: '8000', target: { start: 80, end: 80 }, protocol: 'tcp' },
    ],
    [
      { target: 53, protocol: 'UDP' },
      { published: undefined, protocol: 'udp' },
    ],
  ])('%j', (entry, expected) => {
    expect(parsePortEntry(entry)).toMatchObject(expected);
  });

  it.each([['http'], ['8080:'], ['80/tcp/x'], ['0'], ['80-70'], [{ published: 80 }], [null], [['80']]])(
    'rejects %j',
    (entry) => {
      expect(() => parsePortEntry(entry)).toThrow(/not a port|no "target"/);
    },
  );
});

describe('parsePortRange', () => {
  it('reads expose entries, which may carry a protocol', () => {
    expect(parsePortRange('80')).toEqual({ start: 80, end: 80 });
    expect(parsePortRange('8000-8010/tcp')).toEqual({ start: 8000, end: 8010 });
    expect(parsePortRange('65536')).toBeUndefined();
    expect(parsePortRange('${PORT}')).toBeUndefined();
  });
});
