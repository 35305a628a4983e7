import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** CPU time in clock ticks, split as the kernel accounts it. */
export interface CpuTicks {
  readonly user: number;
  readonly system: number;
}

/**
 * utime and stime of /proc/PID/stat, in clock ticks. The command name (field 2)
 * may hold spaces and parentheses, so fields are counted from the last ")".
 * See proc(5): utime is field 14, stime field 15.
 */
export function parseCpuTicks(stat: string): CpuTicks {
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const user = Number(rest[11]);
  const system = Number(rest[12]);
  if (!Number.isFinite(user) || !Number.isFinite(system)) throw new Error('unexpected /proc/PID/stat format');
  return { user, system };
}

/** Context switches of one thread, from /proc/PID/task/TID/status. */
export interface ContextSwitches {
  /** The thread gave up the CPU itself: it waited (epoll, a futex, a blocking read). */
  readonly voluntary: number;
  /** The scheduler took the CPU away: its slice ran out, or a woken task preempted it. */
  readonly involuntary: number;
}

export function parseContextSwitches(status: string): ContextSwitches {
  const voluntary = /^voluntary_ctxt_switches:\s+(\d+)$/m.exec(status)?.[1];
  const involuntary = /^nonvoluntary_ctxt_switches:\s+(\d+)$/m.exec(status)?.[1];
  if (voluntary === undefined || involuntary === undefined) throw new Error('no ctxt_switches in /proc/PID/status');
  return { voluntary: Number(voluntary), involuntary: Number(involuntary) };
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

export function rssBytes(pid: number): number {
  return parseRssBytes(readFileSync(`/proc/${pid}/status`, 'utf8'));
}

/** What a process used over a stretch of time: CPU (milliseconds) and context switches. */
export interface ProcessUsage {
  readonly userMs: number;
  readonly systemMs: number;
  readonly voluntary: number;
  readonly involuntary: number;
}

export const cpuMsOf = (usage: ProcessUsage): number => usage.userMs + usage.systemMs;

/**
 * A process's usage so far. /proc/PID/status counts the switches of the main
 * thread only; Node's GC and libuv threads have their own, so every thread in
 * /proc/PID/task is added up (a thread that exited meanwhile is lost, which
 * under a steady load none does).
 */
function usageNow(pid: number): ProcessUsage {
  const ticks = parseCpuTicks(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  const msPerTick = 1000 / clockTicks();
  let voluntary = 0;
  let involuntary = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const switches = parseContextSwitches(readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8'));
      voluntary += switches.voluntary;
      involuntary += switches.involuntary;
    } catch {
      // The thread exited between the listing and the read.
    }
  }
  return { userMs: ticks.user * msPerTick, systemMs: ticks.system * msPerTick, voluntary, involuntary };
}

/** What each of some processes used over a stretch of time. */
export class UsageMeter {
  private readonly before: ReadonlyMap<number, ProcessUsage>;

  constructor(private readonly pids: readonly number[]) {
    this.before = new Map(pids.map((pid) => [pid, usageNow(pid)]));
  }

  read(): Map<number, ProcessUsage> {
    return new Map(
      this.pids.map((pid) => {
        const now = usageNow(pid);
        const was = this.before.get(pid) ?? now;
        return [
          pid,
          {
            userMs: now.userMs - was.userMs,
            systemMs: now.systemMs - was.systemMs,
            voluntary: now.voluntary - was.voluntary,
            involuntary: now.involuntary - was.involuntary,
          },
        ];
      }),
    );
  }
}
