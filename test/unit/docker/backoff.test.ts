import { backoffDelay, type BackoffPolicy } from '../../../src/docker/backoff';

const POLICY: BackoffPolicy = { initialMs: 200, maxMs: 10_000 };
const always = (value: number) => (): number => value;

describe('backoffDelay', () => {
  it.each<[number, number]>([
    [0, 200],
    [1, 400],
    [2, 800],
    [5, 6_400],
    [6, 10_000],
    [10, 10_000],
    [2_000, 10_000],
  ])('grows the ceiling for attempt %i to %i, capped at maxMs', (attempt, ceiling) => {
    expect(backoffDelay(attempt, POLICY, always(0.999_999))).toBe(ceiling);
    expect(backoffDelay(attempt, POLICY, always(0))).toBe(ceiling / 2);
  });

  it.each([0, 0.1, 0.25, 0.5, 0.75, 0.999])('keeps the delay in [ceiling/2, ceiling] for random %d', (random) => {
    const delay = backoffDelay(3, POLICY, always(random));
    expect(delay).toBe(Math.round(800 + random * 800));
    expect(delay).toBeGreaterThanOrEqual(800);
    expect(delay).toBeLessThanOrEqual(1_600);
  });

  it('treats a negative attempt as the first', () => {
    expect(backoffDelay(-3, POLICY, always(0))).toBe(100);
  });

  it('rounds to whole milliseconds', () => {
    expect(backoffDelay(0, { initialMs: 3, maxMs: 3 }, always(0))).toBe(2);
  });

  it('uses Math.random when no random is given, within bounds', () => {
    for (let i = 0; i < 50; i++) {
      const delay = backoffDelay(1, POLICY);
      expect(delay).toBeGreaterThanOrEqual(200);
      expect(delay).toBeLessThanOrEqual(400);
    }
  });
});
