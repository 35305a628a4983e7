import type { Clock } from '../../../src/runtime/clock';

/** Time moves only when something sleeps on it, so waits take no real time. */
export class FakeClock implements Clock {
  time = 0;
  readonly sleeps: number[] = [];

  now(): number {
    return this.time;
  }

  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.time += ms;
  }
}
