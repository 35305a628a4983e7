import { parseEventLine } from '../../../bench/docker/event-recorder';
import { lineTime, parseTimestampedLine } from '../../../bench/docker/app-log-watcher';
import { cpuModelFrom } from '../../../bench/host/machine';
import { parseContextSwitches, parseCpuTicks, parseRssBytes } from '../../../bench/host/proc-stat';
import { parseSocketCounters, sentBetween } from '../../../bench/host/socket-stats';
import { parsePerfStat, TOTAL } from '../../../bench/host/syscall-count';
import { checkLoadTarget } from '../../../bench/load/load-target';
import { ReplicaTracker, replicaFromParserInfo } from '../../../bench/load/replica-tracker';

describe('/proc parsers', () => {
  it('reads utime and stime even when the command name has spaces and parentheses', () => {
    const stat = '4242 (node (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 1234 567 0 0 20 0 11 0 99 0 0';
    expect(parseCpuTicks(stat)).toEqual({ user: 1234, system: 567 });
    expect(() => parseCpuTicks('4242 (node) S 1')).toThrow(/format/);
  });

  it('reads a thread\'s voluntary and involuntary context switches', () => {
    const status = 'Name:\tnode\nThreads:\t11\nvoluntary_ctxt_switches:\t4165\nnonvoluntary_ctxt_switches:\t15621\n';
    expect(parseContextSwitches(status)).toEqual({ voluntary: 4165, involuntary: 15621 });
    expect(() => parseContextSwitches('Name:\tnode\n')).toThrow(/ctxt_switches/);
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

  it('counts per replica', () => {
    const tracker = new ReplicaTracker();
    tracker.record('a');
    tracker.record('b');
    tracker.record('a');
    expect(tracker.tallies()).toEqual({ a: { count: 2 }, b: { count: 1 } });
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

  it("times a demo app line by the time it carries, written by the app; Docker's stamp only when it carries none", () => {
    const stamped = parseTimestampedLine('2026-11-27T06:23:17.200000000Z {"msg":"listening","port":80,"at":1795760597138.456}');
    expect(stamped && lineTime(stamped)).toBe(1795760597138.456);
    const bare = parseTimestampedLine('2026-11-27T06:23:17.200000000Z {"msg":"listening"}');
    expect(bare && lineTime(bare)).toBe(Date.parse('2026-11-27T06:23:17.200Z'));
  });
});

describe('ss -ti', () => {
  const reading = (segs: number, data: number, bytes: number, port = 52276): string =>
    [
      `0      0      127.0.0.1:18000 127.0.0.1:${port}`,
      `\t bbr wscale:10,10 rto:204 mss:65483 bytes_sent:${bytes} bytes_acked:${bytes} segs_out:${segs} segs_in:872 data_segs_out:${data} data_segs_in:868 lastsnd:4`,
    ].join('\n');

  it('reads what each connection sent, keyed by its addresses', () => {
    expect(parseSocketCounters(`${reading(868, 867, 189873)}\n`)).toEqual(
      new Map([['127.0.0.1:18000 127.0.0.1:52276', { segsOut: 868, dataSegsOut: 867 }]]),
    );
    expect(parseSocketCounters('')).toEqual(new Map());
  });

  it('adds up what was sent between two readings; a connection opened meanwhile counts from zero', () => {
    const before = parseSocketCounters(reading(100, 99, 1000));
    const after = parseSocketCounters([reading(150, 140, 5000), reading(20, 18, 300, 52300)].join('\n'));
    expect(sentBetween(before, after)).toEqual({ segsOut: 50 + 20, dataSegsOut: 41 + 18 });
  });
});

describe('perf stat -x,', () => {
  it('counts system calls by name, the total apart, and leaves out what never fired', () => {
    const csv = [
      '# started on Mon Nov 30 06:37:11 2026',
      '',
      '95356,,raw_syscalls:sys_enter,3300123456,100.00,,',
      '43805,,syscalls:sys_enter_recvfrom,3300123456,100.00,,',
      '<not counted>,,syscalls:sys_enter_iopl,0,100.00,,',
      '0,,syscalls:sys_enter_writev,3300123456,100.00,,',
    ].join('\n');
    expect(parsePerfStat(csv)).toEqual(new Map([[TOTAL, 95356], ['recvfrom', 43805]]));
  });
});
