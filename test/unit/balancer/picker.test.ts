import type { Backend } from '../../../src/balancer/backend';
import { createPicker, LeastConnPicker, RoundRobinPicker, type Picker } from '../../../src/balancer/picker';
import { backends, withInflight } from '../fakes/replicas';

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
    expect(picks(new RoundRobinPicker(), steps)).toEqual(expectedOf(steps));
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
    expect(picks(new LeastConnPicker(), steps)).toEqual(expectedOf(steps));
  });
});

describe.each<[string, () => Picker]>([
  ['round-robin', () => createPicker('round-robin')],
  ['least-conn', () => createPicker('least-conn')],
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
  ] as const)('makes a %s picker', (strategy, type) => {
    expect(createPicker(strategy)).toBeInstanceOf(type);
  });
});
