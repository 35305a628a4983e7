import { BootWatch, type ConnectCheck } from '../../../src/balancer/boot-watch';
import { ReplicaSet } from '../../../src/balancer/replica-set';
import { RecordingResources, replica } from '../fakes/replicas';
import { captureLogs } from '../support/log-capture';

/**
 * A boot-gated replica set and its BootWatch over a check the test answers: `listening` holds the
 * addresses that accept, `checks` records each attempt with the fake clock's time.
 */
function setUp() {
  const { log, lines } = captureLogs();
  let changes = 0;
  const set = new ReplicaSet<RecordingResources>({
    log,
    bootGate: true,
    createResources: (r) => new RecordingResources(r.name, []),
    ejection: { failures: 3, baseMs: 1_000, maxMs: 5_000 },
    onChange: () => changes++,
  });
  const listening = new Set<string>();
  const checks: Array<{ address: string; at: number }> = [];
  const check: ConnectCheck = (host, port) => {
    const address = `${host}:${port}`;
    checks.push({ address, at: Date.now() });
    return Promise.resolve(listening.has(address) ? undefined : 'connect ECONNREFUSED');
  };
  let accepted = 0;
  const watch = new BootWatch({ replicas: set, check, timeoutMs: 3_000, log, onAccepting: () => accepted++ });
  const apply = (...names: string[]): void => {
    set.apply(names.map((n, i) => replica(n, { number: i + 1 })), 'test');
    watch.watchNew();
  };
  return { set, watch, listening, checks, lines, apply, accepted: () => accepted, changes: () => changes };
}

const states = (set: ReplicaSet<RecordingResources>): string[] => set.all().map((b) => b.state(Date.now()));

describe('BootWatch', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  it('keeps a started replica out of rotation until a connection to it is accepted, then lets it in', async () => {
    const { set, listening, checks, lines, apply, accepted, changes } = setUp();
    apply('web-1');
    expect(states(set)).toEqual(['starting']);
    expect(set.candidates()).toEqual([]);
    await jest.advanceTimersByTimeAsync(100);
    const refused = checks.length;
    expect(refused).toBeGreaterThan(1);
    listening.add('10.0.0.1:80');
    await jest.advanceTimersByTimeAsync(50);
    expect(states(set)).toEqual(['ready']);
    expect(set.candidates().map((b) => b.id)).toEqual(['web-1']);
    expect(accepted()).toBe(1);
    expect(changes()).toBeGreaterThan(0);
    // The short container ID too: the bench matches the line to the container's own log by it.
    expect(lines.filter((l) => l.msg === 'replica accepts connections').map((l) => [l.replica, l.id])).toEqual([['web-1', 'web-1']]);
    // Accepted once is enough: no more checks.
    const total = checks.length;
    await jest.advanceTimersByTimeAsync(1_000);
    expect(checks.length).toBe(total);
  });

  it('checks soon after the start, then every 50 ms at most: a replica serves within 50 ms of listening', async () => {
    const { checks, apply } = setUp();
    apply('web-1');
    await jest.advanceTimersByTimeAsync(1_000);
    const gaps = checks.slice(1).map((c, i) => c.at - (checks[i] as { at: number }).at);
    expect(gaps.slice(0, 4)).toEqual([5, 10, 20, 40]);
    expect(Math.max(...gaps)).toBe(50);
    expect(gaps.slice(4).every((g) => g === 50)).toBe(true);
  });

  it('says once when a replica still does not accept after 30 s, and checks it every second from then on', async () => {
    const { checks, lines, apply } = setUp();
    apply('web-1');
    await jest.advanceTimersByTimeAsync(29_000);
    expect(lines.some((l) => l.level === 40)).toBe(false);
    await jest.advanceTimersByTimeAsync(2_000);
    const warnings = lines.filter((l) => l.level === 40);
    expect(warnings.map((l) => [l.replica, l.address, l.why])).toEqual([['web-1', '10.0.0.1:80', 'connect ECONNREFUSED']]);
    expect(String(warnings[0]?.msg)).toContain('LB_TARGET_PORT');
    const before = checks.length;
    await jest.advanceTimersByTimeAsync(10_000);
    expect(checks.length - before).toBe(10);
    expect(lines.filter((l) => l.level === 40)).toHaveLength(1);
  });

  it('stops checking a replica that left the set, and everything once stopped', async () => {
    const { set, watch, checks, apply } = setUp();
    apply('web-1', 'web-2');
    await jest.advanceTimersByTimeAsync(100);
    set.apply([replica('web-2', { number: 2 })], 'container destroy');
    await jest.advanceTimersByTimeAsync(100);
    const since = checks.length;
    await jest.advanceTimersByTimeAsync(200);
    expect(new Set(checks.slice(since).map((c) => c.address))).toEqual(new Set(['10.0.0.2:80']));
    watch.stop();
    await jest.advanceTimersByTimeAsync(100);
    const stoppedAt = checks.length;
    await jest.advanceTimersByTimeAsync(1_000);
    expect(checks.length).toBe(stoppedAt);
  });

  it('checks a replica once at a time, however often snapshots arrive', async () => {
    const { checks, apply } = setUp();
    apply('web-1');
    apply('web-1');
    apply('web-1');
    await jest.advanceTimersByTimeAsync(0);
    expect(checks).toHaveLength(1);
  });
});
