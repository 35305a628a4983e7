import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnRunner } from '../../src/runtime/spawn-runner';
import type { Cleanup } from '../cleanup';
import { LOAD_CPU } from '../load/run-load';

/** perf's name for the tracepoint every system call passes; its count is the total. */
const TOTAL_EVENT = 'raw_syscalls:sys_enter';
const PER_CALL_PREFIX = 'syscalls:sys_enter_';
/** The key of the total in the counts. */
export const TOTAL = '(all)';

/**
 * `perf stat -x,` output: one CSV line per event, `count,unit,event,...`, the
 * count `<not counted>` for one that never fired. Returns counts by system call
 * name (the total under TOTAL), zeros left out. Pure.
 */
export function parsePerfStat(csv: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of csv.split('\n')) {
    const [count, , event] = line.split(',');
    const n = Number(count);
    if (event === undefined || !Number.isFinite(n) || n === 0) continue;
    if (event === TOTAL_EVENT) counts.set(TOTAL, n);
    else if (event.startsWith(PER_CALL_PREFIX)) counts.set(event.slice(PER_CALL_PREFIX.length), n);
  }
  return counts;
}

/** Why system calls cannot be counted here, or undefined when they can. */
export async function syscallCountingUnavailable(): Promise<string | undefined> {
  const probe = await spawnRunner.capture('perf', ['stat', '-x,', '-e', TOTAL_EVENT, 'true']);
  if (probe.code === 0 && parsePerfStat(probe.stderr).has(TOTAL)) return undefined;
  const why = probe.stderr.trim().split('\n').slice(-2).join(' ') || `exit code ${probe.code}`;
  return `perf stat -e ${TOTAL_EVENT} does not work here (Debian: apt-get install linux-perf; tracefs mounted): ${why}`;
}

export interface SyscallCounter {
  /** Detaches and returns the counts since it attached. */
  stop(): Promise<Map<string, number>>;
}

/**
 * Counts a running process's system calls by name with `perf stat` on the
 * syscall tracepoints (every thread it has when perf attaches). Counting
 * happens in the kernel, one increment per call: far lighter than `strace -c`,
 * which stops the process twice per call. perf itself runs on the load
 * generator's CPU.
 */
export async function startSyscallCount(pid: number, cleanup: Cleanup): Promise<SyscallCounter> {
  const dir = await mkdtemp(join(tmpdir(), 'clbbench-perf-'));
  const file = join(dir, 'perf.csv');
  const child = spawn(
    'taskset',
    ['-c', LOAD_CPU, 'perf', 'stat', '-x,', '-o', file, '-e', TOTAL_EVENT, '-e', `${PER_CALL_PREFIX}*`, '-p', String(pid)],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = once(child, 'exit');
  const stopPerf = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
    await exited;
  };
  const forget = cleanup.add(`perf stat -p ${pid}`, async () => {
    await stopPerf();
    await rm(dir, { recursive: true, force: true });
  });
  // perf opens an event per tracepoint and thread before it counts; give it that moment.
  await new Promise((resolve) => setTimeout(resolve, 500));
  return {
    async stop() {
      await stopPerf();
      const text = await readFile(file, 'utf8').catch(() => '');
      await cleanup.run(forget, () => rm(dir, { recursive: true, force: true }));
      const counts = parsePerfStat(text);
      if (!counts.has(TOTAL)) throw new Error(`perf stat -p ${pid} counted nothing: ${stderr.trim() || text.trim()}`);
      return counts;
    },
  };
}
