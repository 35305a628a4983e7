import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReplicasDocument } from '../../src/admin/views';
import { CLI, FIXTURES, fixtureEnv } from './support/compose';
import { dockerdWith } from './support/daemon';
import { describeEngine, describeHostChanging } from './support/env';
import { run } from './support/exec';
import { underLoad } from './support/tagged-load';
import { waitFor } from './support/wait';

jest.setTimeout(600_000);

/**
 * Swarm refuses a daemon with live-restore, so this restarts dockerd without it (and with it again
 * after): outside CI only when asked, as the daemon-restart test (COMPOSE_LB_RESTART_DOCKERD=1).
 */
const describeSwarm = describeHostChanging('COMPOSE_LB_RESTART_DOCKERD', describeEngine);

async function swarmState(): Promise<string> {
  return (await run('docker', ['info', '--format', '{{.Swarm.LocalNodeState}}'])).stdout.trim();
}

describeSwarm('the same compose file on Docker Swarm', () => {
  const dir = mkdtempSync(join(tmpdir(), 'clb-swarm-'));
  const file = join(dir, 'compose.yaml');
  const stack = `clbswarm${Date.now().toString(36)}`;
  const env = { ...process.env, ...fixtureEnv() };
  let createdSwarm = false;

  const cli = (...args: string[]) => run(process.execPath, [CLI, ...args, '-f', file], { env, timeoutMs: 180_000 });
  const service = (name: string): string => `${stack}_${name}`;

  /** The balancer's view, asked inside its task's container (one node: it runs here). */
  async function replicas(): Promise<ReplicasDocument> {
    const { stdout: id } = await run('docker', ['ps', '-q', '--filter', `label=com.docker.swarm.service.name=${service('web-lb')}`]);
    const container = id.trim().split('\n')[0];
    if (!container) throw new Error('no balancer task runs here yet');
    const { stdout } = await run('docker', ['exec', container, 'node', '/app/compose-lb.js', 'probe', '/replicas']);
    return JSON.parse(stdout) as ReplicasDocument;
  }

  /** The node port the balancer's task published (host mode: a port per task, not per service). */
  async function balancerPort(): Promise<string> {
    const { stdout } = await run('docker', ['ps', '-q', '--filter', `label=com.docker.swarm.service.name=${service('web-lb')}`]);
    const { stdout: port } = await run('docker', ['port', stdout.trim().split('\n')[0] ?? '', '80/tcp']);
    const match = /:(\d+)$/m.exec(port);
    if (!match?.[1]) throw new Error(`the balancer publishes no port: ${port}`);
    return match[1];
  }

  const ready = (n: number) =>
    waitFor(`${n} ready tasks behind the balancer`, async () => {
      const doc = await replicas();
      return doc.ready === n && doc.replicas.length === n;
    }, { timeoutMs: 120_000 });

  beforeAll(async () => {
    await dockerdWith({ liveRestore: false });
    if ((await swarmState()) !== 'active') {
      await run('docker', ['swarm', 'init', '--advertise-addr', '127.0.0.1']);
      createdSwarm = true;
    }
    copyFileSync(join(FIXTURES, 'swarm', 'stack.yaml'), file);
  });

  afterAll(async () => {
    await run('docker', ['stack', 'rm', stack]).catch(() => undefined);
    await waitFor('the stack to be gone', async () => (await run('docker', ['ps', '-q', '--filter', `label=com.docker.stack.namespace=${stack}`])).stdout.trim() === '', {
      timeoutMs: 60_000,
    }).catch(() => undefined);
    // Swarm keeps a stopped task's container as history: remove ours, and the
    // bridge swarm init made, so the engine is left as the test found it.
    const leftovers = (await run('docker', ['ps', '-aq', '--filter', `label=com.docker.stack.namespace=${stack}`])).stdout.trim();
    if (leftovers) await run('docker', ['rm', '-f', ...leftovers.split('\n')]);
    if (createdSwarm) {
      await run('docker', ['swarm', 'leave', '--force']);
      await run('docker', ['network', 'rm', 'docker_gwbridge']).catch(() => undefined);
    }
    await dockerdWith({ liveRestore: true });
    rmSync(dir, { recursive: true, force: true });
  });

  it('deploys the file compose-lb add --swarm wrote, spreads over the tasks, and scales 3 -> 6 -> 2 and rolls updates under load without a failed request', async () => {
    await cli('add', 'web', '--swarm', '--image', env.LB_IMAGE ?? '');
    const hostPort = join(FIXTURES, 'swarm', 'host-port.yaml');
    await run('docker', ['stack', 'deploy', '--resolve-image', 'never', '-c', file, '-c', hostPort, stack], { env });
    await ready(3);
    const url = `http://127.0.0.1:${await balancerPort()}`;
    await waitFor('the balancer on its node port', async () => (await fetch(`${url}/fast`)).ok);

    // Every task gets requests.
    const seen = new Set<string>();
    for (let i = 0; i < 30; i++) seen.add((await fetch(`${url}/fast`)).headers.get('x-replica') ?? '');
    expect(seen.size).toBe(3);

    const result = await underLoad(url, { connections: 12 }, async () => {
      const scaled = await cli('scale', 'web=6', '--stack', stack);
      expect(scaled.stdout).toContain('6 of 6');
      await cli('scale', 'web=2', '--stack', stack);
      await ready(2);
      for (const order of ['start-first', 'stop-first']) {
        const image = `${env.APP_IMAGE}-swarm-${order}`;
        await run('docker', ['tag', env.APP_IMAGE ?? '', image]);
        await run('docker', ['service', 'update', '--detach=false', '--update-order', order, '--image', image, service('web')], {
          timeoutMs: 180_000,
        });
        await ready(2);
        await run('docker', ['rmi', image]).catch(() => undefined);
      }
    });
    expect({ failed: result.failed, failures: result.failures, errors: result.errors }).toEqual({ failed: 0, failures: [], errors: [] });
    expect(result.sent).toBeGreaterThan(200);
  });
});
