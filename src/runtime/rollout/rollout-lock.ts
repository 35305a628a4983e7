import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ComposeInputError } from '../../compose/compose-errors';

/** Where lock files go and how to tell whether their owner still runs; tests pass a temp dir and fake PIDs. */
export interface LockHost {
  readonly dir: string;
  readonly pid: number;
  readonly isAlive: (pid: number) => boolean;
}

export const systemLockHost: LockHost = {
  dir: tmpdir(),
  pid: process.pid,
  isAlive: (pid) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch (err) {
      // EPERM: it runs, as another user.
      return (err as NodeJS.ErrnoException).code === 'EPERM';
    }
  },
};

/**
 * One lock per project and service. Compose project names never contain a dot
 * (compose-spec 04-version-and-name.md), so `.` keeps project "a-b" + service
 * "c" apart from project "a" + service "b-c".
 */
export function lockPath(host: LockHost, project: string, service: string): string {
  const safe = (part: string): string => part.replace(/[^A-Za-z0-9_.-]/g, '_');
  return join(host.dir, `compose-lb-rollout.${safe(project)}.${safe(service)}.lock`);
}

/**
 * Takes the rollout lock, created with O_EXCL so two rollouts cannot both
 * create it; returns the function that releases it. A lock whose process is gone
 * (a crash, a kill -9) is stale and taken over. Two rollouts taking over the same
 * stale lock in the same instant could both win; that needs a crash first and
 * two starts at once, and is not guarded against.
 */
export function takeRolloutLock(host: LockHost, project: string, service: string): () => void {
  const path = lockPath(host, project, service);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, `${host.pid}\n`, { flag: 'wx' });
      return () => release(path, host.pid);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = lockHolder(path);
    if (holder !== undefined && host.isAlive(holder)) {
      throw new ComposeInputError(
        'rollout-running',
        `a rollout of ${service} in project ${project} is already running (pid ${holder}, lock ${path})`,
      );
    }
    rmSync(path, { force: true });
  }
  throw new ComposeInputError('rollout-running', `could not take the rollout lock ${path}; try again`);
}

/** The PID in a lock file; undefined when it is gone or holds no PID (a crash while writing it). */
function lockHolder(path: string): number | undefined {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Removes the lock unless another process has taken it over meanwhile. */
function release(path: string, pid: number): void {
  if (lockHolder(path) === pid) rmSync(path, { force: true });
}
