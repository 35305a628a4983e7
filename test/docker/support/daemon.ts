import { spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { run } from './exec';
import { waitFor } from './wait';

async function daemonUp(): Promise<boolean> {
  return run('docker', ['info'], { timeoutMs: 5_000 }).then(
    () => true,
    () => false,
  );
}

async function liveRestore(): Promise<boolean> {
  const { stdout } = await run('docker', ['info', '--format', '{{.LiveRestoreEnabled}}']);
  return stdout.trim() === 'true';
}

/**
 * Restarts dockerd with or without live-restore, when it is not already so.
 * Swarm refuses a daemon with live-restore; the daemon-restart test needs it
 * (scripts/setup-docker.sh starts dockerd with it). Containers survive a stop
 * of a daemon that had live-restore; those of one without are stopped.
 */
export async function dockerdWith({ liveRestore: wanted }: { liveRestore: boolean }): Promise<void> {
  if ((await liveRestore()) === wanted) return;
  await run('pkill', ['-TERM', '-x', 'dockerd']);
  await waitFor('the dockerd process to exit', async () => run('pgrep', ['-x', 'dockerd']).then(() => false, () => true), {
    timeoutMs: 60_000,
  });
  const log = openSync('/tmp/dockerd.log', 'a');
  const child = spawn('setsid', ['dockerd', ...(wanted ? ['--live-restore'] : [])], { detached: true, stdio: ['ignore', log, log] });
  child.unref();
  await waitFor('dockerd to answer', daemonUp, { timeoutMs: 60_000 });
  if ((await liveRestore()) !== wanted) throw new Error(`dockerd did not come back with live-restore ${wanted}`);
}
