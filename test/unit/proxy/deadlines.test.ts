import { DeadlineList, type Timed } from '../../../src/proxy/deadlines';

/** A list entry that records when its deadline was reported. */
class Entry implements Timed {
  deadlineAt = 0;
  timedIn: DeadlineList<Timed> | undefined;
  prevTimed: Timed | undefined;
  nextTimed: Timed | undefined;
  constructor(
    readonly name: string,
    private readonly expired: string[],
  ) {}
  onDeadline(list: DeadlineList<Timed>): void {
    this.expired.push(`${this.name}@${list.name}`);
  }
}

function setUp() {
  const expired: string[] = [];
  const list = new DeadlineList<Entry>('response', 100);
  const entry = (name: string): Entry => new Entry(name, expired);
  const names = (): string[] => [...list.items()].map((e) => e.name);
  return { expired, list, entry, names };
}

describe('DeadlineList', () => {
  it('expires entries in deadline order, only once their deadline is reached', () => {
    const { expired, list, entry } = setUp();
    list.add(entry('a'), 0);
    list.add(entry('b'), 10);
    list.add(entry('c'), 20);
    list.expire(99);
    expect(expired).toEqual([]);
    list.expire(110);
    expect(expired).toEqual(['a@response', 'b@response']);
    expect(list.size).toBe(1);
    list.expire(1_000);
    expect(expired).toEqual(['a@response', 'b@response', 'c@response']);
    expect(list.size).toBe(0);
  });

  it('removes an entry from anywhere, and re-adding moves it to the back with a new deadline', () => {
    const { expired, list, entry, names } = setUp();
    const [a, b, c] = [entry('a'), entry('b'), entry('c')];
    list.add(a, 0);
    list.add(b, 0);
    list.add(c, 0);
    list.remove(b);
    expect(names()).toEqual(['a', 'c']);
    list.add(a, 50);
    expect(names()).toEqual(['c', 'a']);
    list.expire(100);
    expect(expired).toEqual(['c@response']);
    expect(b.timedIn).toBeUndefined();
    list.remove(b); // not on the list: nothing happens
    expect(list.size).toBe(1);
  });

  it('moves an entry from one list to another: one deadline at a time', () => {
    const { expired, list, entry } = setUp();
    const other = new DeadlineList<Entry>('connect', 10);
    const a = entry('a');
    list.add(a, 0);
    other.add(a, 0);
    expect([list.size, other.size]).toEqual([0, 1]);
    list.expire(1_000);
    other.expire(10);
    expect(expired).toEqual(['a@connect']);
  });

  it('inserts an entry with a deadline of its own in order, from the back', () => {
    const { list, entry, names } = setUp();
    list.insert(entry('late'), 300);
    list.insert(entry('early'), 100);
    list.insert(entry('middle'), 200);
    list.insert(entry('last'), 400);
    expect(names()).toEqual(['early', 'middle', 'late', 'last']);
  });

  it('takes entries off the front, earliest first, keeping their deadlines', () => {
    const { list, entry, names } = setUp();
    for (const [name, at] of [['a', 0], ['b', 5], ['c', 9]] as const) list.add(entry(name), at);
    const taken = list.take(2);
    expect(taken.map((e) => [e.name, e.deadlineAt, e.timedIn])).toEqual([
      ['a', 100, undefined],
      ['b', 105, undefined],
    ]);
    expect(names()).toEqual(['c']);
  });

  it('lets an entry put itself back while it is being told of its deadline', () => {
    const expired: string[] = [];
    const list = new DeadlineList<Entry>('hold', 100);
    const again = new (class extends Entry {
      override onDeadline(l: DeadlineList<Timed>): void {
        super.onDeadline(l);
        if (expired.length === 1) list.add(this, 1_000);
      }
    })('again', expired);
    list.add(again, 0);
    list.expire(100);
    expect(expired).toEqual(['again@hold']);
    expect(list.size).toBe(1);
    list.expire(1_100);
    expect(expired).toEqual(['again@hold', 'again@hold']);
  });
});
