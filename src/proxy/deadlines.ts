/**
 * Something with one deadline at a time. The links belong to the list that
 * holds it, so membership costs no allocation: a request in flight needs no
 * timer object of its own.
 */
export interface Timed {
  deadlineAt: number;
  timedIn: DeadlineList<Timed> | undefined;
  prevTimed: Timed | undefined;
  nextTimed: Timed | undefined;
  /** Its deadline passed; it has already been taken off the list. */
  onDeadline(list: DeadlineList<Timed>): void;
}

/**
 * Deadlines kept in order. Most share one duration, so the order they are
 * added in is the order they expire in: adding and removing are O(1), and a
 * periodic tick expires from the front. This replaces a setTimeout per request
 * and phase (the request path's one timer is a list entry).
 */
export class DeadlineList<T extends Timed = Timed> {
  private head: Timed | undefined;
  private tail: Timed | undefined;
  private count = 0;

  constructor(
    readonly name: string,
    readonly durationMs: number,
  ) {}

  get size(): number {
    return this.count;
  }

  /** Puts `item` on this list (taking it off any other) with a deadline `durationMs` from `now`. */
  add(item: T, now: number): void {
    this.insert(item, now + this.durationMs);
  }

  /**
   * Puts `item` on the list with a deadline of its own, in deadline order:
   * found from the back, so the usual case (the latest deadline yet) costs O(1).
   */
  insert(item: T, deadlineAt: number): void {
    item.timedIn?.remove(item);
    item.deadlineAt = deadlineAt;
    item.timedIn = this as DeadlineList<Timed>;
    let before = this.tail;
    while (before !== undefined && before.deadlineAt > deadlineAt) before = before.prevTimed;
    item.prevTimed = before;
    item.nextTimed = before === undefined ? this.head : before.nextTimed;
    if (before === undefined) this.head = item;
    else before.nextTimed = item;
    if (item.nextTimed === undefined) this.tail = item;
    else item.nextTimed.prevTimed = item;
    this.count++;
  }

  remove(item: T): void {
    if (item.timedIn !== (this as DeadlineList<Timed>)) return;
    if (item.prevTimed === undefined) this.head = item.nextTimed;
    else item.prevTimed.nextTimed = item.nextTimed;
    if (item.nextTimed === undefined) this.tail = item.prevTimed;
    else item.nextTimed.prevTimed = item.prevTimed;
    item.timedIn = undefined;
    item.prevTimed = undefined;
    item.nextTimed = undefined;
    this.count--;
  }

  /** Takes every item whose deadline is at or before `now` off the list and tells it. */
  expire(now: number): void {
    while (this.head !== undefined && this.head.deadlineAt <= now) {
      const item = this.head;
      this.remove(item as T);
      item.onDeadline(this as DeadlineList<Timed>);
    }
  }

  /** Takes up to `count` items off the front of the list, earliest deadline first. */
  take(count: number): T[] {
    const taken: T[] = [];
    while (taken.length < count && this.head !== undefined) {
      const item = this.head as T;
      this.remove(item);
      taken.push(item);
    }
    return taken;
  }

  /** Every item on the list, earliest deadline first. */
  *items(): IterableIterator<T> {
    for (let item = this.head; item !== undefined; item = item.nextTimed) yield item as T;
  }
}
