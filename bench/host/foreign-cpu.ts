import { readdirSync, readFileSync } from 'node:fs';

/** One process as /proc shows it. */
export interface ProcInfo {
  readonly pid: number;
  readonly ppid: number;
  readonly comm: string;
  /** CPU used so far (user + system), in clock ticks. */
  readonly ticks: number;
  /** Runs in a Docker container (its cgroup says /docker/). */
  readonly inContainer: boolean;
}

export interface ForeignUsage {
  /** CPU that processes outside the benchmark used, in milliseconds. */
  readonly cpuMs: number;
  readonly top: readonly { readonly comm: string; readonly pid: number; readonly cpuMs: number }[];
}

/**
 * What the bench itself needs besides its own process tree and containers:
 * the Docker daemons and the shims that run its containers. The bench has the
 * engine to itself, so every container is its own.
 */
const INFRASTRUCTURE = new Set(['dockerd', 'containerd', 'containerd-shim', 'docker-proxy', 'runc']);
const KTHREADD = 2;

/**
 * Pure: CPU used between two snapshots by processes that are not part of the
 * bench: not a descendant of `rootPid`, not in a container, not a kernel
 * thread (they carry the network work of our own load), not Docker itself.
 * Another user's test run on the same machine shows up here, and makes the
 * figures of that stretch suspect.
 */
export function foreignUsage(
  before: ReadonlyMap<number, ProcInfo>,
  after: ReadonlyMap<number, ProcInfo>,
  rootPid: number,
  msPerTick: number,
): ForeignUsage {
  const ours = (pid: number): boolean => {
    for (let cur = after.get(pid), hops = 0; cur !== undefined && hops < 64; cur = after.get(cur.ppid), hops++) {
      if (cur.pid === rootPid || cur.inContainer || INFRASTRUCTURE.has(cur.comm)) return true;
      if (cur.pid === KTHREADD || cur.ppid === KTHREADD) return true;
    }
    return false;
  };
  const used: { comm: string; pid: number; cpuMs: number }[] = [];
  for (const proc of after.values()) {
    const delta = (proc.ticks - (before.get(proc.pid)?.ticks ?? 0)) * msPerTick;
    if (delta > 0 && !ours(proc.pid)) used.push({ comm: proc.comm, pid: proc.pid, cpuMs: delta });
  }
  used.sort((a, b) => b.cpuMs - a.cpuMs);
  return { cpuMs: used.reduce((n, u) => n + u.cpuMs, 0), top: used.slice(0, 5) };
}

/** Pure: pid, ppid, comm and utime + stime from /proc/PID/stat (see proc(5)). */
export function parseStat(stat: string): Omit<ProcInfo, 'inContainer'> | undefined {
  const open = stat.indexOf('(');
  const close = stat.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const rest = stat.slice(close + 2).split(' ');
  const pid = Number(stat.slice(0, open).trim());
  const ppid = Number(rest[1]);
  const ticks = Number(rest[11]) + Number(rest[12]);
  if (!Number.isFinite(pid) || !Number.isFinite(ppid) || !Number.isFinite(ticks)) return undefined;
  return { pid, ppid, comm: stat.slice(open + 1, close), ticks };
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined; // the process exited meanwhile
  }
}

/** Every process on the machine now. */
export function snapshotProcesses(): Map<number, ProcInfo> {
  const procs = new Map<number, ProcInfo>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = read(`/proc/${name}/stat`);
    const parsed = stat === undefined ? undefined : parseStat(stat);
    if (parsed === undefined) continue;
    const inContainer = (read(`/proc/${name}/cgroup`) ?? '').includes('/docker/');
    procs.set(parsed.pid, { ...parsed, inContainer });
  }
  return procs;
}
