import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReplicasDocument } from '../../src/admin/views';
import { CLI, FIXTURES, fixtureEnv } from './support/compose';
import { describeEngine, describeHostChanging } from './support/env';
import { run } from './support/exec';
import { startSwarmNodes, type SwarmNode, type SwarmNodes } from './support/swarm-nodes';
import { underLoad } from './support/tagged-load';
import { waitFor } from './support/wait';

jest.setTimeout(600_000);

/**
 * Two engines in network namespaces of this machine, a bridge and a firewall rule between them:
 * in CI, or outside it when asked (COMPOSE_LB_SWARM_NODES=1), as it changes the host's network.
 */
const describeNodes = describeHostChanging('COMPOSE_LB_SWARM_NODES', describeEngine);

describeNodes('a swarm of two nodes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'clb-swarm-nodes-'));
  const file = join(dir, 'compose.yaml');
  const stack = 'clbnodes';
  let cluster: SwarmNodes | undefined;

  const nodes = (): { manager: SwarmNode; worker: SwarmNode } => {
    const [manager, worker] = cluster?.nodes ?? [];
    if (!manager || !worker) throw new Error('the cluster is not up');
    return { manager, worker };
  };
  const env = () => ({ ...process.env, ...fixtureEnv(), DOCKER_HOST: nodes().manager.host, MANAGER_SOCKET: nodes().manager.socket });
  const cli = (...args: string[]) => run(process.execPath, [CLI, ...args, '-f', file], { env: env(), timeoutMs: 180_000 });
  const tasksOn = async (node: SwarmNode, name: string) =>
    (await node.docker('ps', '-q', '--filter', `label=com.docker.swarm.service.name=${stack}_${name}`)).split('\n').filter(Boolean);

  async function replicas(): Promise<ReplicasDocument> {
    const [balancer] = await tasksOn(nodes().worker, 'web-lb');
    if (!balancer) throw new Error('no balancer task runs on the worker yet');
    return JSON.parse(await nodes().worker.docker('exec', balancer, 'node', '/app/compose-lb.js', 'probe', '/replicas')) as ReplicasDocument;
  }
  const ready = (n: number) =>
    waitFor(`${n} ready tasks behind the balancer`, async () => {
      const doc = await replicas();
      return doc.ready === n && doc.replicas.length === n;
    }, { timeoutMs: 180_000 });

  beforeAll(async () => {
    const { APP_IMAGE, LB_IMAGE } = fixtureEnv();
    cluster = await startSwarmNodes(2, [LB_IMAGE ?? '', APP_IMAGE ?? '']);
    copyFileSync(join(FIXTURES, 'swarm', 'stack.yaml'), file);
  });

  afterAll(async () => {
    if (cluster) {
      await nodes().manager.docker('stack', 'rm', stack).catch(() => undefined);
      await cluster.remove();
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('spreads tasks over both nodes; the balancer on the worker, told by discovery on the manager, reaches all of them and loses nothing in a scale and a rolling update', async () => {
    const { manager, worker } = nodes();
    await cli('add', 'web', '--swarm', '--image', fixtureEnv().LB_IMAGE ?? '');
    await run('docker', ['stack', 'deploy', '--resolve-image', 'never', '-c', file, '-c', join(FIXTURES, 'swarm', 'two-nodes.yaml'), stack], {
      env: env(),
    });
    await ready(3);
    expect((await tasksOn(manager, 'web')).length).toBeGreaterThan(0);
    expect((await tasksOn(worker, 'web')).length).toBeGreaterThan(0);
    expect(await tasksOn(manager, 'compose-lb-discovery')).toHaveLength(1);

    const [balancer] = await tasksOn(worker, 'web-lb');
    const port = /:(\d+)$/m.exec(await worker.docker('port', balancer ?? '', '80/tcp'))?.[1];
    const url = `http://${worker.address}:${port}`;
    const seen = new Set<string>();
    for (let i = 0; i < 30; i++) seen.add((await fetch(`${url}/fast`)).headers.get('x-replica') ?? '');
    expect(seen.size).toBe(3);

    const result = await underLoad(url, { connections: 12, ownNetwork: worker.address }, async () => {
      await cli('scale', 'web=4', '--stack', stack);
      await ready(4);
      const image = `${fixtureEnv().APP_IMAGE}-two-nodes`;
      for (const node of [manager, worker]) await node.docker('tag', fixtureEnv().APP_IMAGE ?? '', image);
      await manager.docker('service', 'update', '--detach=false', '--no-resolve-image', '--update-order', 'start-first', '--image', image, `${stack}_web`);
      await ready(4);
    });
    expect({ failed: result.failed, failures: result.failures, errors: result.errors }).toEqual({ failed: 0, failures: [], errors: [] });
    expect(result.sent).toBeGreaterThan(200);
  });
});
