import { statSync } from 'node:fs';
import { cpus } from 'node:os';
import { spawnRunner } from '../src/runtime/spawn-runner';
import { ensureHaproxy } from './host/haproxy';
import { ROOT } from './paths';

export interface Preflight {
  readonly haproxy: string;
  readonly dockerGid: number;
}

/** What the bench needs before it starts anything, each failure with what to do about it. */
export async function preflight(report: (line: string) => void): Promise<Preflight> {
  if (cpus().length < 2) throw new Error('the bench pins the load to CPU 0 and the proxies to CPU 1: it needs 2 CPUs');
  if ((await spawnRunner.capture('taskset', ['-V'])).code !== 0) throw new Error('taskset is missing (Debian: apt-get install util-linux)');
  if ((await spawnRunner.capture('docker', ['info'])).code !== 0) {
    throw new Error('no Docker engine answers `docker info`: run `bash scripts/setup-docker.sh` (as root) first');
  }
  if ((await spawnRunner.capture('docker', ['compose', 'version'])).code !== 0) {
    throw new Error('Compose v2 (`docker compose`) is missing: run `bash scripts/setup-docker.sh` (as root)');
  }
  const haproxy = await ensureHaproxy(report);
  return { haproxy, dockerGid: statSync('/var/run/docker.sock').gid };
}

/** The images from this checkout's dist/: `scripts/build-images.sh bench`, as in the README. */
export async function buildImages(): Promise<{ balancer: string; app: string }> {
  const { code, stderr } = await spawnRunner.capture('bash', [`${ROOT}/scripts/build-images.sh`, 'bench']);
  if (code !== 0) throw new Error(`scripts/build-images.sh bench failed: ${stderr.trim()}`);
  return { balancer: 'compose-lb:bench', app: 'compose-lb-demo-app:bench' };
}

/**
 * The bench itself (orchestration, progress) runs on CPU 0 with the load
 * generator, so CPU 1 is left to what is measured. `-a`: every thread.
 */
export async function pinSelf(cpu: string): Promise<void> {
  await spawnRunner.capture('taskset', ['-a', '-p', '-c', cpu, String(process.pid)]);
}
