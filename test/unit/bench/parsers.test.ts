import { parseEventLine } from '../../../bench/docker/event-recorder';
import { parseTimestampedLine } from '../../../bench/docker/listening-watcher';
import { cpuModelFrom } from '../../../bench/host/machine';
import { parseCpuTicks, parseRssBytes } from '../../../bench/host/proc-stat';
import { checkLoadTarget } from '../../../bench/load/load-target';
import { ReplicaTracker, replicaFromParserInfo } from '../../../bench/load/replica-tracker';

describe('/proc parsers', () => {
  it('reads utime + stime even when the command name has spaces and parentheses', () => {
    const stat = '4242 (node (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 1234 567 0 0 20 0 11 0 99 0 0';
    expect(parseCpuTicks(stat)).toBe(1234 + 567);
  });

  it('reads VmRSS in bytes', () => {
    expect(parseRssBytes('Name:\tnode\nVmPeak:\t  9 kB\nVmRSS:\t   90304 kB\nThreads: 11\n')).toBe(90304 * 1024);
    expect(() => parseRssBytes('Name:\tnode\n')).toThrow(/VmRSS/);
  });

  it('finds the CPU model in /proc/cpuinfo', () => {
    expect(cpuModelFrom('processor\t: 0\nmodel name\t: AMD EPYC 7B13\nflags\t: fpu\n')).toBe('AMD EPYC 7B13');
    expect(cpuModelFrom('processor\t: 0\n')).toBeUndefined();
  });
});

describe('checkLoadTarget (the network rule)', () => {
  const own = new Set(['172.20.0.3']);
  it.each(['http://127.0.0.1:8080/fast', 'http://172.20.0.3:80/'])('allows %s', (url) => {
    expect(checkLoadTarget(url, own)).toBeUndefined();
  });
  it.each(['http://10.0.0.1/', 'http://localhost:80/', 'http://172.20.0.4/', 'not a url'])('refuses %s', (url) => {
    expect(checkLoadTarget(url, own)).toMatch(/.+/);
  });
});

describe('replica tracking', () => {
  it('reads X-Replica from the parser info, whatever its case', () => {
    expect(replicaFromParserInfo({ headers: ['Content-Type', 'text/plain', 'X-Replica', 'abc123'] })).toBe('abc123');
    expect(replicaFromParserInfo({ headers: ['x-replica', 'def'] })).toBe('def');
    expect(replicaFromParserInfo({ headers: ['content-length', '0'] })).toBeUndefined();
    expect(replicaFromParserInfo({ headers: { 'x-replica': 'no' } })).toBeUndefined();
    expect(replicaFromParserInfo(undefined)).toBeUndefined();
  });

  it('counts per replica and keeps when each first answered', () => {
    const tracker = new ReplicaTracker();
    tracker.record('a', 1_000, 100);
    tracker.record('b', 1_050, 20);
    tracker.record('a', 2_000, 100);
    expect(tracker.tallies()).toEqual({
      a: { count: 2, firstSentAt: 900, firstDoneAt: 1_000 },
      b: { count: 1, firstSentAt: 1_030, firstDoneAt: 1_050 },
    });
  });
});

describe('docker output parsers', () => {
  it('turns an events line into a timed container event', () => {
    const line = JSON.stringify({
      Type: 'container',
      Action: 'start',
      Actor: { ID: 'abcdef0123456789', Attributes: { 'com.docker.compose.service': 'web' } },
      time: 1_700_000_000,
      timeNano: 1_700_000_000_123_456_789,
    });
    const event = parseEventLine(line);
    expect(event).toMatchObject({ id: 'abcdef0123456789', action: 'start', service: 'web' });
    expect(event?.atMs).toBeCloseTo(1_700_000_000_123.457, 0);
  });

  it.each(['not json', '{"Type":"network","Action":"connect","Actor":{"ID":"x"},"timeNano":1}', '{"Type":"container"}'])(
    'skips %s',
    (line) => {
      expect(parseEventLine(line)).toBeUndefined();
    },
  );

  it('reads docker logs timestamps to the sub-millisecond', () => {
    const parsed = parseTimestampedLine('2026-11-27T06:23:17.138456789Z {"msg":"listening"}');
    expect(parsed?.text).toBe('{"msg":"listening"}');
    expect(parsed?.atMs).toBeCloseTo(Date.parse('2026-11-27T06:23:17.138Z') + 0.456789, 5);
    expect(parseTimestampedLine('2026-11-27T06:23:17Z x')?.atMs).toBe(Date.parse('2026-11-27T06:23:17Z'));
    expect(parseTimestampedLine('no timestamp')).toBeUndefined();
  });
});
