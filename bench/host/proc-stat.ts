import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * utime + stime of /proc/PID/stat, in clock ticks. The command name (field 2)
 * may hold spaces and parentheses, so fields are counted from the last ")".
 * See proc(5): utime is field 14, stime field 15.
 */
export function parseCpuTicks(stat: string): number {
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error('unexpected /proc/PID/stat format');
  return utime + stime;
}

/** VmRSS of /proc/PID/status, in bytes. */
export function parseRssBytes(status: string): number {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (!match?.[1]) throw new Error('no VmRSS in /proc/PID/status');
  return Number(match[1]) * 1024;
}

let ticksPerSecond: number | undefined;

/** Clock ticks per second (`getconf CLK_TCK`, 100 on Linux nearly everywhere). */
export function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    const raw = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    ticksPerSecond = Number.isFinite(raw) && raw > 0 ? raw : 100;
  }
  return ticksPerSecond;
}

/** CPU time (user + system) a process has used so far, in milliseconds. */
export function cpuMs(pid: number): number {
  return (parseCpuTicks(readFileSync(`/proc/${pid}/stat`, 'utf8')) * 1000) / clockTicks();
}

export function rssBytes(pid: number): number {
  return parseRssBytes(readFileSync(`/proc/${pid}/status`, 'utf8'));
}

/** CPU used by each of some processes over a stretch of time. */
export class CpuMeter {
  private readonly before: ReadonlyMap<number, number>;

  constructor(private readonly pids: readonly number[]) {
    this.before = new Map(pids.map((pid) => [pid, cpuMs(pid)]));
  }

  /** Milliseconds of CPU each process used since the meter was made. */
  read(): Map<number, number> {
    return new Map(this.pids.map((pid) => [pid, cpuMs(pid) - (this.before.get(pid) ?? 0)]));
  }
}
