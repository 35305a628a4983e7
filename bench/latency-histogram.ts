/**
 * Response times in microseconds, in buckets 1 % wide. autocannon's own
 * histogram counts whole milliseconds, which cannot tell a 0.4 ms p50 from a
 * 0.9 ms one: exactly the difference the overhead scenario is about.
 */
const GROWTH = 1.01;
const INV_LOG_GROWTH = 1 / Math.log(GROWTH);
/** 1.01^2000 µs is far beyond any run's length; slower values share the last bucket. */
const BUCKETS = 2000;

export interface LatencySummary {
  readonly count: number;
  readonly meanUs: number;
  readonly p50Us: number;
  readonly p90Us: number;
  readonly p99Us: number;
  readonly maxUs: number;
}

export class LatencyHistogram {
  private readonly counts = new Uint32Array(BUCKETS);
  private count = 0;
  private sumUs = 0;
  private maxUs = 0;

  record(us: number): void {
    const value = us < 1 ? 1 : us;
    const bucket = Math.min(BUCKETS - 1, Math.floor(Math.log(value) * INV_LOG_GROWTH));
    this.counts[bucket] = (this.counts[bucket] ?? 0) + 1;
    this.count++;
    this.sumUs += us;
    if (us > this.maxUs) this.maxUs = us;
  }

  /** The value below which `fraction` of the recorded values fall (within the bucket width, 1 %). */
  percentile(fraction: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil(fraction * this.count));
    let seen = 0;
    for (let bucket = 0; bucket < BUCKETS; bucket++) {
      seen += this.counts[bucket] ?? 0;
      // The bucket's middle, but never above the largest value actually seen.
      if (seen >= rank) return Math.min(this.maxUs, GROWTH ** (bucket + 0.5));
    }
    return this.maxUs;
  }

  summary(): LatencySummary {
    return {
      count: this.count,
      meanUs: this.count === 0 ? 0 : this.sumUs / this.count,
      p50Us: this.percentile(0.5),
      p90Us: this.percentile(0.9),
      p99Us: this.percentile(0.99),
      maxUs: this.maxUs,
    };
  }
}
