import { haproxyConfig } from '../../../bench/host/haproxy-config';

describe('haproxyConfig', () => {
  const servers = [
    { host: '172.20.0.2', port: 80 },
    { host: '172.20.0.3', port: 80 },
  ];

  it('writes one listener per balance, on 127.0.0.1 only, with every replica', () => {
    const text = haproxyConfig([
      { name: 'haproxy-roundrobin', port: 40001, balance: 'roundrobin', servers },
      { name: 'haproxy-leastconn', port: 40002, balance: 'leastconn', servers },
    ]);
    expect(text).toContain(
      [
        'listen haproxy-roundrobin',
        '  bind 127.0.0.1:40001',
        '  option http-keep-alive',
        '  option forwardfor',
        '  balance roundrobin',
        '  server r1 172.20.0.2:80',
        '  server r2 172.20.0.3:80',
      ].join('\n'),
    );
    expect(text).toContain('listen haproxy-leastconn\n  bind 127.0.0.1:40002\n  option http-keep-alive\n  option forwardfor\n  balance leastconn\n');
    expect(text.match(/bind /g)).toHaveLength(2);
    expect(text).not.toMatch(/bind (?!127\.0\.0\.1:)/);
  });

  it('does the same work as compose-lb: HTTP mode, keep-alive, X-Forwarded-For, one thread', () => {
    const text = haproxyConfig([{ name: 'x', port: 1, balance: 'roundrobin', servers }]);
    for (const line of ['  nbthread 1', '  mode http', '  option http-keep-alive', '  option forwardfor']) {
      expect(text.split('\n')).toContain(line);
    }
  });

  it('pipes bytes unread in mode tcp, where HTTP options would only draw warnings', () => {
    const text = haproxyConfig([{ name: 'tcp', port: 1, balance: 'roundrobin', mode: 'tcp', servers }]);
    const section = text.slice(text.indexOf('listen tcp'));
    expect(section).toContain('  mode tcp\n');
    expect(section).not.toContain('option');
  });

  it('keeps maxconn low enough for ulimit -n (HAProxy needs about twice as many descriptors)', () => {
    expect(haproxyConfig([{ name: 'x', port: 1, balance: 'roundrobin', servers }])).toContain('  maxconn 4096\n');
    expect(haproxyConfig([{ name: 'x', port: 1, balance: 'roundrobin', servers }], 100)).toContain('  maxconn 100\n');
  });

  it('refuses a section name HAProxy would misread, and a listener with no servers', () => {
    expect(() => haproxyConfig([{ name: 'a b', port: 1, balance: 'roundrobin', servers }])).toThrow(/cannot name/);
    expect(() => haproxyConfig([{ name: 'x', port: 1, balance: 'leastconn', servers: [] }])).toThrow(/no servers/);
  });
});
