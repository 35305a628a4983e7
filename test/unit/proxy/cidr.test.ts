import { cidrMatcher, parseCidr, unmapIPv4, type Cidr } from '../../../src/proxy/cidr';

describe('parseCidr', () => {
  it.each<[string, Cidr]>([
    ['10.0.0.0/8', { address: '10.0.0.0', prefix: 8, family: 'ipv4' }],
    ['0.0.0.0/0', { address: '0.0.0.0', prefix: 0, family: 'ipv4' }],
    ['192.168.1.7', { address: '192.168.1.7', prefix: 32, family: 'ipv4' }],
    ['192.168.1.7/32', { address: '192.168.1.7', prefix: 32, family: 'ipv4' }],
    ['fd00::/8', { address: 'fd00::', prefix: 8, family: 'ipv6' }],
    ['::1', { address: '::1', prefix: 128, family: 'ipv6' }],
    ['2001:db8::/128', { address: '2001:db8::', prefix: 128, family: 'ipv6' }],
  ])('reads %s', (raw, cidr) => {
    expect(parseCidr(raw)).toEqual(cidr);
  });

  it.each<[string, string]>([
    ['gateway', '"gateway" is not an IP address or CIDR'],
    ['', '"" is not an IP address or CIDR'],
    ['10.0.0/8', '"10.0.0/8" is not an IP address or CIDR'],
    ['10.0.0.256', '"10.0.0.256" is not an IP address or CIDR'],
    ['10.0.0.0/8/8', '"10.0.0.0/8/8" is not an IP address or CIDR'],
    ['10.0.0.0/33', '"10.0.0.0/33" has an invalid prefix length (0-32)'],
    ['10.0.0.0/', '"10.0.0.0/" has an invalid prefix length (0-32)'],
    ['10.0.0.0/-1', '"10.0.0.0/-1" has an invalid prefix length (0-32)'],
    ['10.0.0.0/8.5', '"10.0.0.0/8.5" has an invalid prefix length (0-32)'],
    ['10.0.0.0/ 8', '"10.0.0.0/ 8" has an invalid prefix length (0-32)'],
    ['fd00::/129', '"fd00::/129" has an invalid prefix length (0-128)'],
  ])('refuses %j', (raw, message) => {
    expect(() => parseCidr(raw)).toThrow(new Error(message));
  });
});

describe('unmapIPv4', () => {
  it.each([
    ['::ffff:10.1.2.3', '10.1.2.3'],
    ['10.1.2.3', '10.1.2.3'],
    ['::1', '::1'],
    ['::ffff:1', '::ffff:1'],
    ['fd00::ffff:10.1.2.3', 'fd00::ffff:10.1.2.3'],
  ])('turns %s into %s', (address, plain) => {
    expect(unmapIPv4(address)).toBe(plain);
  });
});

describe('cidrMatcher', () => {
  it.each<[string, string[], string | undefined, boolean]>([
    ['an address in an IPv4 range', ['10.0.0.0/8'], '10.200.3.4', true],
    ['an address outside it', ['10.0.0.0/8'], '11.0.0.1', false],
    ['an IPv4-mapped IPv6 address in it', ['10.0.0.0/8'], '::ffff:10.200.3.4', true],
    ['an IPv4-mapped address outside it', ['10.0.0.0/8'], '::ffff:11.0.0.1', false],
    ['the one bare address', ['192.168.1.7'], '192.168.1.7', true],
    ['the address next to it', ['192.168.1.7'], '192.168.1.8', false],
    ['an address in an IPv6 range', ['fd00::/8'], 'fd12:3456::1', true],
    ['an IPv6 address outside it', ['fd00::/8'], 'fe80::1', false],
    ['an IPv4 address against IPv6 ranges', ['fd00::/8', '::1'], '127.0.0.1', false],
    ['IPv6 loopback', ['fd00::/8', '::1'], '::1', true],
    ['any IPv4 address against 0.0.0.0/0', ['0.0.0.0/0'], '::ffff:203.0.113.9', true],
    ['IPv6 against 0.0.0.0/0', ['0.0.0.0/0'], '2001:db8::1', false],
    ['the second of several ranges', ['10.0.0.0/8', '172.16.0.0/12'], '172.31.255.255', true],
    ['no address', ['0.0.0.0/0'], undefined, false],
    ['something that is no address', ['0.0.0.0/0'], 'localhost', false],
    ['any address when nothing is trusted', [], '10.0.0.1', false],
  ])('%s', (_name, ranges, address, trusted) => {
    expect(cidrMatcher(ranges.map(parseCidr))(address)).toBe(trusted);
  });
});
