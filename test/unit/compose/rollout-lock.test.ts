import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { ComposeInputError } from '../../../src/compose/compose-errors';
import { lockPath, takeRolloutLock, type LockHost } from '../../../src/runtime/rollout/rollout-lock';
import { thrown } from './fixtures';
import { useTempDir } from './temp-dir';

const tmp = useTempDir();
/** This process is PID 10; 20 runs too; every other PID is gone. */
const host = (pid = 10): LockHost => ({ dir: tmp(), pid, isAlive: (p) => p === 10 || p === 20 });

describe('rollout lock', () => {
  it('is one file per project and service, holding the PID, removed on release', () => {
    const release = takeRolloutLock(host(), 'demo', 'web');
    const path = lockPath(host(), 'demo', 'web');
    expect(readFileSync(path, 'utf8')).toBe('10\n');
    release();
    expect(existsSync(path)).toBe(false);
  });

  it('keeps projects and services apart, even where a dash could join them', () => {
    expect(lockPath(host(), 'a-b', 'c')).not.toBe(lockPath(host(), 'a', 'b-c'));
    takeRolloutLock(host(), 'demo', 'web');
    expect(() => takeRolloutLock(host(20), 'demo', 'api')).not.toThrow();
    expect(() => takeRolloutLock(host(20), 'shop', 'web')).not.toThrow();
  });

  it('refuses while its holder runs', () => {
    takeRolloutLock(host(20), 'demo', 'web');
    const err = thrown(() => takeRolloutLock(host(), 'demo', 'web'));
    expect(err).toBeInstanceOf(ComposeInputError);
    expect(err.message).toBe(
      `a rollout of web in project demo is already running (pid 20, lock ${lockPath(host(), 'demo', 'web')})`,
    );
  });

  it.each([['30\n'], [''], ['garbage']])('takes over a stale lock holding %j', (content) => {
    writeFileSync(lockPath(host(), 'demo', 'web'), content);
    takeRolloutLock(host(), 'demo', 'web');
    expect(readFileSync(lockPath(host(), 'demo', 'web'), 'utf8')).toBe('10\n');
  });

  it('does not remove a lock another process has taken over meanwhile', () => {
    const release = takeRolloutLock(host(), 'demo', 'web');
    writeFileSync(lockPath(host(), 'demo', 'web'), '20\n');
    release();
    expect(readFileSync(lockPath(host(), 'demo', 'web'), 'utf8')).toBe('20\n');
  });
});
