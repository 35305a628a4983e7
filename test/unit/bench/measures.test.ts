import { LatencyHistogram } from '../../../bench/latency-histogram';
import { measureRouterCost } from '../../../bench/scenarios/router-cost';
import { median, quantile, ratio, slope } from '../../../bench/stats';

describe('LatencyHistogram', () => {
  it('gives percentiles within its 1 % bucket width', () => {
    const h = new LatencyHistogram();
    for (let us = 1; us <= 10_000; us++) h.record(us);
    const s = h.summary();
    expect(s.count).toBe(10_000);
    expect(s.meanUs).toBeCloseTo(5000.5, 5);
    expect(s.p50Us / 5000).toBeGreaterThan(0.99);
    expect(s.p50Us / 5000).toBeLessThan(1.01);
    expect(s.p99Us / 9900).toBeGreaterThan(0.99);
    expect(s.p99Us / 9900).toBeLessThan(1.01);
    expect(s.maxUs).toBe(10_000);
  });

  it('tells sub-millisecond latencies apart (autocannon counts whole milliseconds)', () => {
    const fast = new LatencyHistogram();
    const slow = new LatencyHistogram();
    for (let i = 0; i < 100; i++) {
      fast.record(400);
      slow.record(900);
    }
    expect(fast.percentile(0.5)).toBeCloseTo(400, -1);
    expect(slow.percentile(0.5)).toBeCloseTo(900, -1);
  });

  it('never reports a percentile above the largest value seen', () => {
    const h = new LatencyHistogram();
    h.record(1234);
    expect(h.percentile(0.99)).toBeLessThanOrEqual(1234);
    expect(h.percentile(0.99)).toBeGreaterThan(1220);
  });

  it('is all zeros when empty, and copes with values below a microsecond', () => {
    expect(new LatencyHistogram().summary()).toEqual({ count: 0, meanUs: 0, p50Us: 0, p90Us: 0, p99Us: 0, maxUs: 0 });
    const h = new LatencyHistogram();
    h.record(0.2);
    expect(h.percentile(0.5)).toBeLessThanOrEqual(0.2);
  });
});

describe('median and ratio', () => {
  it.each([
    [[3, 1, 2], 2],
    [[4, 1, 3, 2], 2.5],
    [[7], 7],
  ])('median of %j is %d', (values, expected) => {
    expect(median(values)).toBe(expected);
  });

  it('has no median of nothing and no ratio to nothing', () => {
    expect(median([])).toBeNaN();
    expect(ratio(1, 0)).toBeUndefined();
    expect(ratio(undefined, 2)).toBeUndefined();
    expect(ratio(1, Number.NaN)).toBeUndefined();
    expect(ratio(3, 2)).toBe(1.5);
  });
});

describe('quantile', () => {
  it('interpolates between the nearest values, whatever their order, and agrees with the median', () => {
    const values = [40, 10, 30, 20, 50];
    expect(quantile(values, 0.25)).toBe(20);
    expect(quantile(values, 0.75)).toBe(40);
    expect(quantile([10, 20], 0.25)).toBe(12.5);
    expect(quantile([4, 1, 3, 2], 0.5)).toBe(median([4, 1, 3, 2]));
    expect(quantile([7], 0.9)).toBe(7);
    expect(quantile([], 0.5)).toBeNaN();
  });
});

describe('slope', () => {
  it('fits a line through the points', () => {
    expect(slope([[1, 3], [2, 5], [3, 7]])).toBeCloseTo(2, 10);
    expect(slope([[1, 100], [2, 90], [3, 110], [4, 100]])).toBeCloseTo(2, 10);
  });

  it('is flat with too few points to tell', () => {
    expect(slope([])).toBe(0);
    expect(slope([[1, 5]])).toBe(0);
    expect(slope([[2, 5], [2, 9]])).toBe(0);
  });
});

describe('measureRouterCost', () => {
  it('times the production router matching the last host, with one rule and with all of them', () => {
    const cost = measureRouterCost(['r1.bench.test', 'r2.bench.test', 'r3.bench.test'], 1_000);
    expect(cost.matches).toBe(1_000);
    for (const ns of [cost.oneRuleNs, cost.manyRulesNs]) expect(ns).toBeGreaterThan(0);
  });
});
