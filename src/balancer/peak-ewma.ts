/**
 * A replica's response latency as Finagle's and Linkerd's load balancers keep
 * it: an exponentially weighted moving average that jumps up at once to a
 * slower sample (the "peak") and decays back with time constant `decayMs`.
 * Read between samples it keeps decaying, so a replica that was slow and got
 * no traffic since looks fast again after a while and is tried once more: a
 * recovered replica gets its traffic back.
 */
export class PeakEwma {
  private value = 0;
  private at = 0;
  private observed = false;

  constructor(private readonly decayMs: number) {}

  /** Has at least one sample. */
  get known(): boolean {
    return this.observed;
  }

  observe(ms: number, now: number): void {
    if (!this.observed) {
      this.value = ms;
      this.observed = true;
    } else if (ms > this.value) {
      this.value = ms;
    } else {
      const w = Math.exp(-(now - this.at) / this.decayMs);
      this.value = this.value * w + ms * (1 - w);
    }
    this.at = now;
  }

  /** The estimate at `now`, decayed for the time since the last sample. */
  read(now: number): number {
    return this.value * Math.exp(-Math.max(0, now - this.at) / this.decayMs);
  }
}
