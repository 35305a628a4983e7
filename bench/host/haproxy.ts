import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnRunner } from '../../src/runtime/spawn-runner';
import type { Cleanup } from '../cleanup';
import { haproxyConfig, type HaproxyListener } from './haproxy-config';
import { startPinned, waitForHttp, type HostProcess } from './host-process';

async function haproxyVersion(): Promise<string | undefined> {
  const { code, stdout } = await spawnRunner.capture('haproxy', ['-v']);
  return code === 0 ? /version (\S+)/.exec(stdout)?.[1] ?? stdout.split('\n')[0] : undefined;
}

/**
 * HAProxy is the reference every figure is compared with, so the bench installs
 * Debian's package when it is missing, and stops with a clear message when it cannot.
 */
export async function ensureHaproxy(report: (line: string) => void): Promise<string> {
  const present = await haproxyVersion();
  if (present !== undefined) return present;
  report('HAProxy is missing: installing Debian\'s haproxy package with apt-get');
  const env = ['DEBIAN_FRONTEND=noninteractive'];
  const update = await spawnRunner.capture('env', [...env, 'apt-get', 'update', '-qq']);
  const install = await spawnRunner.capture('env', [...env, 'apt-get', 'install', '-y', '-qq', 'haproxy']);
  const installed = await haproxyVersion();
  if (installed !== undefined) return installed;
  const why = [update.stderr, install.stderr].join('\n').trim().split('\n').slice(-3).join('\n');
  throw new Error(
    `HAProxy is needed as the reference and could not be installed (apt-get install haproxy, as root): ${why || 'no output'}`,
  );
}

export interface RunningHaproxy {
  readonly process: HostProcess;
  stop(): Promise<void>;
}

/** Starts HAProxy in the foreground, pinned to the systems-under-test CPU, and waits until every listener answers. */
export async function startHaproxy(listeners: readonly HaproxyListener[], cleanup: Cleanup, probePath = '/fast'): Promise<RunningHaproxy> {
  const dir = await mkdtemp(join(tmpdir(), 'clbbench-haproxy-'));
  const forgetDir = cleanup.add(`temp dir ${dir}`, () => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'haproxy.cfg');
  await writeFile(file, haproxyConfig(listeners));
  const proc = startPinned({ name: 'haproxy', command: 'haproxy', args: ['-db', '-f', file], cleanup });
  try {
    for (const listener of listeners) {
      const url = `http://127.0.0.1:${listener.port}${probePath}`;
      await waitForHttp(url, `HAProxy listener ${listener.name}`, 10_000, cleanup.signal);
    }
  } catch (err) {
    await proc.stop();
    throw new Error(`HAProxy did not start: ${proc.output()}`, { cause: err });
  }
  return {
    process: proc,
    async stop() {
      await proc.stop();
      await cleanup.run(forgetDir, () => rm(dir, { recursive: true, force: true }));
    },
  };
}
