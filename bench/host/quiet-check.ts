import { clockTicks } from './proc-stat';
import { foreignUsage, snapshotProcesses, type ProcInfo } from './foreign-cpu';

/** Others' CPU during one run, as a share of one CPU, and who it was. */
export interface Disturbance {
  readonly pctOfCpu: number;
  readonly by: string;
}

/** Watches for processes outside the bench using CPU over a stretch of time (see foreignUsage). */
export class QuietCheck {
  private readonly before: Map<number, ProcInfo>;
  private readonly startedAt = Date.now();

  constructor() {
    this.before = snapshotProcesses();
  }

  read(): Disturbance {
    const usage = foreignUsage(this.before, snapshotProcesses(), process.pid, 1000 / clockTicks());
    const elapsedMs = Math.max(1, Date.now() - this.startedAt);
    return {
      pctOfCpu: (100 * usage.cpuMs) / elapsedMs,
      by: usage.top.map((u) => `${u.comm} (${u.pid}) ${Math.round(u.cpuMs)} ms`).join(', '),
    };
  }
}
