import { LatencyHistogram, type LatencySummary } from '../latency-histogram';

/** One stretch of a load run, between two marks the bench set (a change it made: a replica slowed, a restart). */
export interface PhaseResult {
  readonly name: string;
  /** Epoch milliseconds. */
  readonly startedAt: number;
  readonly durationSec: number;
  readonly responses: number;
  readonly non2xx: number;
  /** Socket errors (refused, reset, ...), timeouts not included. */
  readonly errors: number;
  readonly timeouts: number;
  readonly errorCodes: Readonly<Record<string, number>>;
  readonly latency: LatencySummary;
  /** Responses per X-Replica value. */
  readonly replicas: Readonly<Record<string, number>>;
}

/** autocannon's message for a request it gave up on (lib/run.js, onTimeout). */
export const TIMEOUT_MESSAGE = 'request timed out';

class Phase {
  readonly histogram = new LatencyHistogram();
  readonly errorCodes: Record<string, number> = {};
  readonly replicas: Record<string, number> = {};
  responses = 0;
  non2xx = 0;
  errors = 0;
  timeouts = 0;

  constructor(
    readonly name: string,
    readonly startedAt: number,
  ) {}

  result(endedAt: number): PhaseResult {
    return {
      name: this.name,
      startedAt: this.startedAt,
      durationSec: (endedAt - this.startedAt) / 1000,
      responses: this.responses,
      non2xx: this.non2xx,
      errors: this.errors,
      timeouts: this.timeouts,
      errorCodes: this.errorCodes,
      latency: this.histogram.summary(),
      replicas: this.replicas,
    };
  }
}

/**
 * Splits one continuous load run into phases at the moments the bench marks,
 * so a change made under load (a replica slowed, a restart) has its own
 * figures without stopping the load: connections, queues and the balancer's
 * state carry over, as they would for real. A response counts in the phase
 * during which it arrived. Pure apart from the times it is given.
 */
export class PhaseRecorder {
  private readonly done: PhaseResult[] = [];
  private current: Phase;

  constructor(first: string, now: number) {
    this.current = new Phase(first, now);
  }

  mark(name: string, now: number): void {
    this.done.push(this.current.result(now));
    this.current = new Phase(name, now);
  }

  response(status: number, us: number, replica: string | undefined): void {
    const phase = this.current;
    phase.responses++;
    if (status < 200 || status > 299) phase.non2xx++;
    phase.histogram.record(us);
    if (replica !== undefined) phase.replicas[replica] = (phase.replicas[replica] ?? 0) + 1;
  }

  /** A request that got no response: a socket error by its code, or a timeout. */
  error(code: string): void {
    const phase = this.current;
    if (code === TIMEOUT_MESSAGE) phase.timeouts++;
    else phase.errors++;
    phase.errorCodes[code] = (phase.errorCodes[code] ?? 0) + 1;
  }

  finish(now: number): PhaseResult[] {
    return [...this.done, this.current.result(now)];
  }
}
