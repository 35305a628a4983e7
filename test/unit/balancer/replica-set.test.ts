import { Backend } from '../../../src/balancer/backend';
import type { Replica } from '../../../src/balancer/replica';
import { ReplicaSet, type EjectionPolicy } from '../../../src/balancer/replica-set';
import { RecordingResources, replica, withInflight } from '../fakes/replicas';
import { captureLogs, type LogLine } from '../support/log-capture';

const EJECTION: EjectionPolicy = { failures: 3, baseMs: 1_000, maxMs: 5_000 };

/** A replica set over recording resources, a captured log and a clock the test moves. */
function setUp(opts: { probePath?: (r: Replica) => string | undefined } = {}) {
  const journal: string[] = [];
  const { log, lines } = captureLogs();
  const clock = { now: 1_000_000 };
  const set = new ReplicaSet<RecordingResources>({
    log,
    createResources: (r) => new RecordingResources(r.name, journal),
    ejection: EJECTION,
    now: () => clock.now,
    ...opts,
  });
  /** What was logged since the last call: message and the fields that tell what happened. */
  const logged = (): Array<Record<string, unknown>> => lines.splice(0).map(brief);
  return { set, journal, clock, logged };
}

function brief({ msg, replica: name, why, from, to, address, state, inflight, served, forMs }: LogLine) {
  const fields = { msg, replica: name, why, from, to, address, state, inflight, served, forMs };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}

const ids = (backends: readonly Backend[]): string[] => backends.map((b) => b.id);

function backendOf(set: ReplicaSet<RecordingResources>, id: string): Backend<RecordingResources> {
  const found = set.all().find((b) => b.id === id);
  if (found === undefined) throw new Error(`no backend ${id}`);
  return found;
}

describe('ReplicaSet.apply', () => {
  it('adds new replicas in snapshot order and logs each with its address, state and why', () => {
    const { set, journal, logged } = setUp();
    set.apply([replica('web-1'), replica('web-2', { number: 2, health: 'starting' })], 'initial list');
    expect(ids(set.all())).toEqual(['web-1', 'web-2']);
    expect(ids(set.candidates())).toEqual(['web-1']);
    expect(logged()).toEqual([
      { msg: 'replica added', replica: 'web-1', address: '10.0.0.1:80', state: 'ready', why: 'initial list' },
      { msg: 'replica added', replica: 'web-2', address: '10.0.0.2:80', state: 'starting', why: 'initial list' },
    ]);
    expect(journal).toEqual([]);
  });

  it('logs a state change with from, to and why, keeping the same backend', () => {
    const { set, logged } = setUp();
    set.apply([replica('web-1', { health: 'starting' })], 'initial list');
    const before = backendOf(set, 'web-1');
    logged();
    set.apply([replica('web-1', { health: 'healthy' })], 'container health_status: healthy');
    expect(backendOf(set, 'web-1')).toBe(before);
    expect(logged()).toEqual([
      { msg: 'replica state changed', replica: 'web-1', from: 'starting', to: 'ready', why: 'container health_status: healthy' },
    ]);
  });

  it('drains a stopping replica once, logging its requests in flight', () => {
    const { set, journal, logged } = setUp();
    set.apply([replica('web-1'), replica('web-2', { number: 2 })], 'initial list');
    withInflight(backendOf(set, 'web-2'), 4);
    logged();
    set.apply([replica('web-1'), replica('web-2', { number: 2, stopping: true })], 'kill (signal 15)');
    set.apply([replica('web-1'), replica('web-2', { number: 2, stopping: true })], 'periodic resync');
    expect(journal).toEqual(['drain web-2']);
    expect(logged()).toEqual([{ msg: 'replica draining', replica: 'web-2', inflight: 4, why: 'kill (signal 15)' }]);
    expect(ids(set.candidates())).toEqual(['web-1']);
  });

  it('closes and logs a replica that leaves the snapshot, with its counters', () => {
    const { set, journal, logged } = setUp();
    set.apply([replica('web-1'), replica('web-2', { number: 2 })], 'initial list');
    withInflight(backendOf(set, 'web-2'), 1);
    for (let i = 0; i < 9; i++) backendOf(set, 'web-2').answered();
    logged();
    set.apply([replica('web-1')], 'container die');
    expect(ids(set.all())).toEqual(['web-1']);
    expect(journal).toEqual(['close web-2']);
    expect(logged()).toEqual([{ msg: 'replica removed', replica: 'web-2', inflight: 1, served: 9, why: 'container die' }]);
  });

  it('replaces a replica whose address changed: old resources closed, new ones made', () => {
    const { set, journal, logged } = setUp();
    set.apply([replica('web-1')], 'initial list');
    const before = backendOf(set, 'web-1');
    for (let i = 0; i < 5; i++) before.answered();
    logged();
    set.apply([replica('web-1', { host: '10.0.0.99' })], 'container start');
    const after = backendOf(set, 'web-1');
    expect(after).not.toBe(before);
    expect(after.served).toBe(0);
    expect(journal).toEqual(['close web-1']);
    expect(logged()).toEqual([
      { msg: 'replica removed', replica: 'web-1', why: 'address changed' },
      { msg: 'replica added', replica: 'web-1', address: '10.0.0.99:80', state: 'ready', why: 'container start' },
    ]);
  });

  it('starts a drained replica afresh when it comes back from stopping (a restart), so its pool is usable', () => {
    const { set, journal, logged } = setUp();
    set.apply([replica('web-1')], 'initial list');
    set.apply([replica('web-1', { stopping: true })], 'kill (signal 15)');
    const drained = backendOf(set, 'web-1');
    logged();
    set.apply([replica('web-1')], 'container start');
    expect(backendOf(set, 'web-1')).not.toBe(drained);
    expect(journal).toEqual(['drain web-1', 'close web-1']);
    expect(logged()).toEqual([
      { msg: 'replica removed', replica: 'web-1', why: 'restarted' },
      { msg: 'replica added', replica: 'web-1', address: expect.any(String), state: 'ready', why: 'container start' },
    ]);
  });

  it('keeps in-flight, served and failure counters across snapshots', () => {
    const { set, journal } = setUp();
    set.apply([replica('web-1')], 'initial list');
    const web1 = backendOf(set, 'web-1');
    withInflight(web1, 3);
    for (let i = 0; i < 7; i++) web1.answered();
    set.recordConnectFailure(web1);
    set.apply([replica('web-2', { number: 2 }), replica('web-1', { health: 'healthy' })], 'container start');
    expect(ids(set.all())).toEqual(['web-2', 'web-1']);
    expect(backendOf(set, 'web-1')).toMatchObject({ inflight: 3, served: 7, failures: 1 });
    expect(journal).toEqual([]);
  });

  it('logs nothing and touches no resources for an unchanged snapshot', () => {
    const { set, journal, logged } = setUp();
    set.apply([replica('web-1')], 'initial list');
    logged();
    set.apply([replica('web-1')], 'periodic resync');
    expect(logged()).toEqual([]);
    expect(journal).toEqual([]);
  });
});

describe('ReplicaSet.candidates', () => {
  it.each<[string, Partial<Replica>, boolean]>([
    ['without a healthcheck', { health: 'none' }, true],
    ['healthy', { health: 'healthy' }, true],
    ['starting', { health: 'starting' }, false],
    ['unhealthy', { health: 'unhealthy' }, false],
    ['draining', { stopping: true }, false],
    ['healthy but draining', { health: 'healthy', stopping: true }, false],
  ])('takes a replica %s: %s', (_name, overrides, taken) => {
    const { set } = setUp();
    set.apply([replica('web-1'), replica('web-2', { number: 2, ...overrides })], 'initial list');
    expect(ids(set.candidates())).toEqual(taken ? ['web-1', 'web-2'] : ['web-1']);
  });

  it('holds back a probed replica until its first probe passes, and while probes fail', () => {
    const { set } = setUp({ probePath: (r) => (r.name === 'web-2' ? '/healthz' : undefined) });
    set.apply([replica('web-1'), replica('web-2', { number: 2 })], 'initial list');
    const web2 = backendOf(set, 'web-2');
    expect(ids(set.candidates())).toEqual(['web-1']);
    set.recordProbe(web2, undefined);
    expect(ids(set.candidates())).toEqual(['web-1', 'web-2']);
    set.recordProbe(web2, 'status 500');
    expect(ids(set.candidates())).toEqual(['web-1']);
  });
});

describe('ReplicaSet passive ejection', () => {
  /** Three ready replicas; returns web-1 and a function failing it `n` times. */
  function threeReplicas() {
    const env = setUp();
    env.set.apply([replica('web-1'), replica('web-2', { number: 2 }), replica('web-3', { number: 3 })], 'initial list');
    env.logged();
    const web1 = backendOf(env.set, 'web-1');
    const fail = (n: number): void => {
      for (let i = 0; i < n; i++) env.set.recordConnectFailure(web1);
    };
    return { ...env, web1, fail };
  }

  it('ejects a replica after the threshold of failures in a row, until the clock passes ejectedUntil', () => {
    const { set, clock, web1, fail, logged } = threeReplicas();
    fail(2);
    expect(ids(set.candidates())).toEqual(['web-1', 'web-2', 'web-3']);
    fail(1);
    expect(ids(set.candidates())).toEqual(['web-2', 'web-3']);
    expect(web1.state(clock.now)).toBe('ejected');
    expect(web1.ejectedUntil).toBe(clock.now + 1_000);
    expect(logged()).toEqual([{ msg: 'replica ejected after failed connections', replica: 'web-1', forMs: 1_000 }]);

    clock.now += 999;
    expect(ids(set.candidates())).toEqual(['web-2', 'web-3']);
    clock.now += 1;
    expect(ids(set.candidates())).toEqual(['web-1', 'web-2', 'web-3']);
    expect(web1.state(clock.now)).toBe('ready');
  });

  it('does not count failures while already ejected towards a longer ejection', () => {
    const { clock, web1, fail } = threeReplicas();
    fail(3);
    const until = web1.ejectedUntil;
    fail(5);
    expect(web1.ejectedUntil).toBe(until);
    expect(clock.now).toBeLessThan(until);
  });

  it('doubles the ejection time for each ejection in a row, capped at maxMs', () => {
    const { clock, web1, fail, logged } = threeReplicas();
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      fail(3);
      times.push(web1.ejectedUntil - clock.now);
      clock.now = web1.ejectedUntil;
    }
    expect(times).toEqual([1_000, 2_000, 4_000, 5_000, 5_000]);
    expect(logged().map((l) => l.forMs)).toEqual([1_000, 2_000, 4_000, 5_000, 5_000]);
  });

  it('starts again from baseMs after a success', () => {
    const { set, clock, web1, fail } = threeReplicas();
    fail(3);
    clock.now = web1.ejectedUntil;
    set.recordAnswer(web1);
    fail(2);
    set.recordAnswer(web1);
    fail(2);
    expect(ids(set.candidates())).toEqual(['web-1', 'web-2', 'web-3']);
    fail(1);
    expect(web1.ejectedUntil - clock.now).toBe(1_000);
  });

  it('never ejects the last candidate', () => {
    const { set, fail, web1 } = threeReplicas();
    set.recordConnectFailure(backendOf(set, 'web-2'));
    for (let i = 0; i < 3; i++) {
      set.recordConnectFailure(backendOf(set, 'web-2'));
      set.recordConnectFailure(backendOf(set, 'web-3'));
    }
    expect(ids(set.candidates())).toEqual(['web-1']);
    fail(10);
    expect(ids(set.candidates())).toEqual(['web-1']);
    expect(web1.ejectedUntil).toBe(0);
  });

  it('never ejects a lone replica', () => {
    const { set } = setUp();
    set.apply([replica('web-1')], 'initial list');
    for (let i = 0; i < 10; i++) set.recordConnectFailure(backendOf(set, 'web-1'));
    expect(ids(set.candidates())).toEqual(['web-1']);
  });
});

describe('Backend.state', () => {
  const none = { drain: () => {}, close: () => {} };

  it.each<[string, Partial<Replica>, number, string]>([
    ['ready', {}, 0, 'ready'],
    ['starting', { health: 'starting' }, 0, 'starting'],
    ['unhealthy', { health: 'unhealthy' }, 0, 'unhealthy'],
    ['draining before anything else', { health: 'unhealthy', stopping: true }, 0, 'draining'],
    ['ejected while ejectedUntil is ahead', {}, 101, 'ejected'],
    ['ready once ejectedUntil is reached', {}, 100, 'ready'],
    ['unhealthy rather than ejected', { health: 'unhealthy' }, 101, 'unhealthy'],
  ])('is %s', (_name, overrides, ejectedUntil, expected) => {
    const backend = new Backend(replica('web-1', overrides), none);
    backend.eject(ejectedUntil);
    expect(backend.state(100)).toBe(expected);
  });
});
