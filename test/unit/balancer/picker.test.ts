import { Backend } from '../../../src/balancer/backend';
import { createPicker, type Picker } from '../../../src/balancer/picker';
import { LeastConnPicker } from '../../../src/balancer/pickers/least-conn';
import { P2cPicker } from '../../../src/balancer/pickers/p2c';
import { RoundRobinPicker } from '../../../src/balancer/pickers/round-robin';
import { backends, replica, withInflight } from '../fakes/replicas';

/** Weights as configured, no slow start. */
const PLAIN = { slowStartMs: 0, now: () => 0 };

/**
 * One pick: the candidates as letters, each optionally followed by its
 * in-flight count (`a2 b0 c`), the replicas already tried for this request,
 * and the replica expected (`-` for none).
 */
type Step = readonly [candidates: string, expected: string, tried?: string];

/** Runs the steps on one picker and one set of backends `a`..`g`, as undici's balanced-pool test does. */
function picks(picker: Picker, steps: readonly Step[]): string[] {
  const all = backends('abcdefg');
  const get = (name: string): Backend => {
    const backend = all.get(name);
    if (backend === undefined) throw new Error(`no backend ${name}`);
    return backend;
  };
  return steps.map(([candidates, , tried = '']) => {
    const list = [...candidates.matchAll(/([a-g])(\d*)/g)].map(([, name = '', inflight]) => {
      return withInflight(get(name), Number(inflight || 0));
    });
    const triedSet = new Set([...tried].map(get));
    return picker.pick(list, triedSet)?.id ?? '-';
  });
}

const expectedOf = (steps: readonly Step[]): string[] => steps.map(([, expected]) => expected);

describe('RoundRobinPicker', () => {
  it.each<[string, Step[]]>([
    ['cycles through a stable list in order', [['abc', 'a'], ['abc', 'b'], ['abc', 'c'], ['abc', 'a']]],
    ['gives a single candidate every time', [['a', 'a'], ['a', 'a'], ['a', 'a']]],
    ['returns nothing for an empty list, and resumes after it', [['abc', 'a'], ['', '-'], ['abc', 'b']]],
    ['skips a tried replica and continues after the one it picked', [['abc', 'b', 'a'], ['abc', 'c'], ['abc', 'a']]],
    ['skips several tried replicas, wrapping around', [['abc', 'a'], ['abc', 'b'], ['abc', 'a', 'bc'], ['abc', 'b']]],
    ['returns nothing when every candidate was tried, without moving on', [['abc', 'a'], ['abc', '-', 'abc'], ['abc', 'b']]],
    ['ignores tried replicas that are no longer candidates', [['ab', 'a', 'cd'], ['ab', 'b', 'c']]],
    [
      'keeps going when a replica leaves the list',
      [['abc', 'a'], ['abc', 'b'], ['ac', 'a'], ['ac', 'c'], ['ac', 'a']],
    ],
    [
      'takes a replica that joins the list into the turn',
      [['ab', 'a'], ['ab', 'b'], ['abc', 'a'], ['abc', 'b'], ['abc', 'c'], ['abc', 'a']],
    ],
    ['wraps when the list shrinks below the cursor', [['abcd', 'a'], ['abcd', 'b'], ['abcd', 'c'], ['ab', 'b'], ['ab', 'a']]],
    ['does not look at in-flight counts', [['a9 b0', 'a'], ['a9 b0', 'b'], ['a9 b0', 'a']]],
  ])('%s', (_name, steps) => {
    expect(picks(new RoundRobinPicker(PLAIN), steps)).toEqual(expectedOf(steps));
  });
});

describe('LeastConnPicker', () => {
  it.each<[string, Step[]]>([
    ['goes round-robin while all are idle', [['abc', 'a'], ['abc', 'b'], ['abc', 'c'], ['abc', 'a']]],
    ['takes the replica with the fewest requests in flight', [['a3 b1 c2', 'b'], ['a3 b1 c2', 'b'], ['a0 b1 c2', 'a']]],
    ['breaks ties round-robin, starting after the last pick', [['a1 b0 c0', 'b'], ['a1 b0 c0', 'c'], ['a1 b0 c0', 'b']]],
    ['passes over a tried replica even when it is the least loaded', [['a0 b5 c3', 'c', 'a'], ['a0 b5 c3', 'a']]],
    ['returns nothing when every candidate was tried', [['a0 b1', '-', 'ab'], ['a0 b1', 'a']]],
    ['returns nothing for an empty list', [['', '-']]],
    ['follows a list that changes between picks', [['a0 b0 c0', 'a'], ['b2 c1', 'c'], ['a1 b0 c1', 'b'], ['a0 d0', 'a']]],
  ])('%s', (_name, steps) => {
    expect(picks(new LeastConnPicker(PLAIN), steps)).toEqual(expectedOf(steps));
  });
});

describe.each<[string, () => Picker]>([
  ['round-robin', () => createPicker('round-robin', PLAIN)],
  ['least-conn', () => createPicker('least-conn', PLAIN)],
])('%s over a stable list', (_name, create) => {
  it.each([1, 2, 3, 5, 7])('gives each of %i replicas exactly k of N*k requests', (n) => {
    const k = 4;
    const list = [...backends('abcdefg').values()].slice(0, n);
    const picker = create();
    const counts = new Map<string, number>();
    for (let i = 0; i < n * k; i++) {
      const id = picker.pick(list)?.id ?? '-';
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    expect(Object.fromEntries(counts)).toEqual(Object.fromEntries(list.map((b) => [b.id, k])));
  });
});

describe('createPicker', () => {
  it.each([
    ['round-robin', RoundRobinPicker],
    ['least-conn', LeastConnPicker],
    ['p2c', P2cPicker],
  ] as const)('makes a %s picker', (strategy, type) => {
    expect(createPicker(strategy, PLAIN)).toBeInstanceOf(type);
  });
});

/** Backends `a`.. with the given weights (label compose-lb.weight), in that order. */
function weightedBackends(weights: readonly number[]): Backend[] {
  const none = { drain: () => {}, close: () => {} };
  return weights.map((weight, i) => {
    const name = String.fromCharCode(97 + i);
    return new Backend(replica(name, { number: i + 1, weight }), none);
  });
}

/** The ids of `n` picks in a row. */
function sequence(picker: Picker, list: readonly Backend[], n: number, tried?: ReadonlySet<Backend>): string {
  return Array.from({ length: n }, () => picker.pick(list, tried)?.id ?? '-').join('');
}

describe('weights (label compose-lb.weight), honoured by every strategy', () => {
  it.each<[string, number[], string]>([
    ['5:1:1 spreads the heavy replica out (nginx smooth weighted round-robin)', [5, 1, 1], 'aabacaa'],
    ['2:1 gives the first two of every three', [2, 1], 'abaaba'],
    ['equal weights above 1 are plain round-robin', [3, 3, 3], 'abcabc'],
    ['weight 0 is a backup: no traffic while another can take it', [0, 1, 1], 'bcbcbc'],
    ['backups share the traffic when only backups are left', [0, 0], 'abab'],
  ])('round-robin: %s', (_name, weights, expected) => {
    expect(sequence(new RoundRobinPicker(PLAIN), weightedBackends(weights), expected.length)).toBe(expected);
  });

  it('round-robin with weights still passes over a tried replica', () => {
    const list = weightedBackends([5, 1]);
    expect(sequence(new RoundRobinPicker(PLAIN), list, 3, new Set([list[0]!]))).toBe('bbb');
  });

  it.each<[string, number[], number[], string]>([
    ['prefers the heavier replica at equal load', [1, 3], [0, 0], 'b'],
    ['weighs requests in flight by weight: 3 on weight 3 beats 2 on weight 1', [1, 3], [2, 3], 'b'],
    ['and 1 on weight 1 beats 5 on weight 3', [1, 3], [1, 5], 'a'],
    ['never picks a backup while another can take it', [0, 1], [0, 9], 'b'],
  ])('least-conn: %s', (_name, weights, inflight, expected) => {
    const list = weightedBackends(weights).map((b, i) => withInflight(b, inflight[i] ?? 0));
    expect(new LeastConnPicker(PLAIN).pick(list)?.id).toBe(expected);
  });

  it('p2c never picks a backup while another can take it, whatever the draw', () => {
    const list = weightedBackends([0, 1, 1]);
    for (const r of [0, 0.34, 0.67, 0.99]) {
      const picker = new P2cPicker({ ...PLAIN, random: () => r });
      expect(['b', 'c']).toContain(picker.pick(list)?.id);
    }
  });

  it('returns nothing when every candidate is draining (none left to pick)', () => {
    for (const strategy of ['round-robin', 'least-conn', 'p2c'] as const) {
      expect(createPicker(strategy, PLAIN).pick([])).toBeUndefined();
    }
  });
});

describe('slow start (LB_SLOW_START)', () => {
  const clock = { now: 0 };
  const opts = { slowStartMs: 10_000, now: () => clock.now };

  it("ramps a new replica's share up over the slow-start time, then gives it its full share", () => {
    const [old, fresh] = weightedBackends([1, 1]);
    old!.readySince = -100_000;
    fresh!.readySince = 0;
    const share = (): number => {
      const picks = sequence(new RoundRobinPicker(opts), [old!, fresh!], 100);
      return [...picks].filter((id) => id === 'b').length;
    };
    clock.now = 0;
    expect(share()).toBe(5); // the floor: 5 % of its weight
    clock.now = 5_000;
    expect(share()).toBe(33); // half its weight: 1 to 0.5
    clock.now = 10_000;
    expect(share()).toBe(50);
  });

  it('least-conn sends the ramping replica less while both are idle', () => {
    const [old, fresh] = weightedBackends([1, 1]);
    old!.readySince = -100_000;
    fresh!.readySince = 0;
    clock.now = 2_000;
    expect(new LeastConnPicker(opts).pick([fresh!, old!])?.id).toBe('a');
  });
});

describe('P2cPicker', () => {
  /** Backends with latency estimates (ms) observed at time 0; `undefined` for never measured. */
  function measured(latencies: readonly (number | undefined)[]): Backend[] {
    return weightedBackends(latencies.map(() => 1)).map((b, i) => {
      const ms = latencies[i];
      if (ms !== undefined) b.latency.observe(ms, 0);
      return b;
    });
  }

  /** A random source that yields the given numbers in turn. */
  const draws = (...values: number[]): (() => number) => {
    let i = 0;
    return () => values[i++ % values.length] as number;
  };

  it.each<[string, (number | undefined)[], number[], number[], string]>([
    ['takes the faster of the two drawn', [10, 50, 30], [0, 0, 0], [0, 0.5], 'a'],
    ['draws two different replicas, always', [50, 10], [0, 0], [0, 0], 'b'],
    ['weighs latency by requests in flight: 10 ms with 9 waiting loses to 50 ms idle', [10, 50], [9, 0], [0, 0], 'b'],
    ['keeps the first on a tie', [20, 20], [0, 0], [0, 0], 'a'],
    ['takes a replica never measured as average, not as free', [10, undefined, 30], [0, 0, 0], [0.4, 0.4], 'b'],
  ])('%s', (_name, latencies, inflight, random, expected) => {
    const list = measured(latencies).map((b, i) => withInflight(b, inflight[i] ?? 0));
    const picker = new P2cPicker({ slowStartMs: 0, now: () => 0, random: draws(...random) });
    expect(picker.pick(list)?.id).toBe(expected);
  });

  it('gives a replica that was slow its traffic back once its estimate has decayed', () => {
    const [slow, fast] = measured([500, 20]);
    const clock = { now: 0 };
    const picker = new P2cPicker({ slowStartMs: 0, now: () => clock.now, random: draws(0, 0) });
    expect(picker.pick([slow!, fast!])?.id).toBe('b');
    clock.now = 30_000; // no sample of the slow one since: its estimate decayed below the fast one's
    fast!.latency.observe(20, clock.now);
    expect(picker.pick([slow!, fast!])?.id).toBe('a');
  });

  it('passes over tried replicas, and returns the only one left', () => {
    const list = measured([10, 20, 30]);
    const picker = new P2cPicker({ slowStartMs: 0, now: () => 0, random: draws(0, 0) });
    expect(picker.pick(list, new Set([list[0]!, list[1]!]))?.id).toBe('c');
    expect(picker.pick(list, new Set(list))).toBeUndefined();
  });

  it('sends a replica five times slower less than its fair share', () => {
    const list = measured([100, 20, 20, 20]);
    let seed = 1;
    const random = (): number => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    const picker = new P2cPicker({ slowStartMs: 0, now: () => 0, random });
    const picks = sequence(picker, list, 400);
    expect([...picks].filter((id) => id === 'a').length).toBeLessThan(100 / 2);
  });
});
