import { foreignUsage, parseStat, type ProcInfo } from '../../../bench/host/foreign-cpu';

const proc = (pid: number, ppid: number, comm: string, ticks: number, inContainer = false): ProcInfo => ({
  pid,
  ppid,
  comm,
  ticks,
  inContainer,
});

describe('parseStat', () => {
  it('reads pid, ppid, the command (spaces and parentheses too) and CPU ticks', () => {
    expect(parseStat('77 (my (odd) cmd) S 12 77 77 0 -1 4194560 1 0 0 0 300 45 0 0 20 0 1 0 5 0 0')).toEqual({
      pid: 77,
      ppid: 12,
      comm: 'my (odd) cmd',
      ticks: 345,
    });
    expect(parseStat('garbage')).toBeUndefined();
  });
});

describe('foreignUsage', () => {
  // 100 = the bench; 101 its load worker; 102 a replica in a container; 2 kthreadd and 50 a kernel thread;
  // 60 dockerd; 200 and 201 someone else's test run; 300 a process that started during the run.
  const table: [pid: number, ppid: number, comm: string, before: number | undefined, after: number, container?: boolean][] = [
    [1, 0, 'init', 0, 0],
    [2, 0, 'kthreadd', 0, 0],
    [50, 2, 'ksoftirqd/1', 10, 90],
    [60, 1, 'dockerd', 100, 150],
    [100, 1, 'node', 1000, 1100],
    [101, 100, 'node', 50, 900],
    [102, 90, 'node', 5, 700, true],
    [200, 1, 'npm', 10, 11],
    [201, 200, 'jest', 400, 600],
    [300, 200, 'node', undefined, 40],
  ];
  const snapshot = (when: 'before' | 'after'): Map<number, ProcInfo> =>
    new Map(
      table
        .filter(([, , , before]) => when === 'after' || before !== undefined)
        .map(([pid, ppid, comm, before, after, container]) => [
          pid,
          proc(pid, ppid, comm, when === 'before' ? (before ?? 0) : after, container),
        ]),
    );
  const before = snapshot('before');
  const after = snapshot('after');

  it("counts only what is not the bench's: not its tree, containers, Docker or the kernel", () => {
    expect(foreignUsage(before, after, 100, 10)).toEqual({
      cpuMs: (200 + 1 + 40) * 10,
      top: [
        { comm: 'jest', pid: 201, cpuMs: 2000 },
        { comm: 'node', pid: 300, cpuMs: 400 },
        { comm: 'npm', pid: 200, cpuMs: 10 },
      ],
    });
  });

  it('is zero on a quiet machine', () => {
    expect(foreignUsage(after, after, 100, 10)).toEqual({ cpuMs: 0, top: [] });
  });
});
