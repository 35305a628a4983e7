import { join } from 'node:path';
import { BalancerHandle, countByReplica, get } from './support/balancer';
import { ComposeProject, FIXTURES, containerIp, fixtureEnv } from './support/compose';
import { describeDocker } from './support/env';
import { run } from './support/exec';
import { expectClean, startLoad } from './support/load';
import { waitFor } from './support/wait';

jest.setTimeout(180_000);

/** How many times each replica saw a request with this X-Request-Id (read from the replicas themselves). */
async function timesSeen(project: ComposeProject, requestId: string): Promise<number> {
  let total = 0;
  for (const id of await project.containerIds('web')) {
    const stats = (await (await fetch(`http://${await containerIp(id)}/stats`)).json()) as {
      seen: Record<string, number>;
    };
    total += stats.seen[requestId] ?? 0;
  }
  return total;
}

describeDocker('replicas that die or get signals', (flavor) => {
  const project = new ComposeProject(flavor, join(FIXTURES, 'balanced.yaml'), fixtureEnv());
  let lb: BalancerHandle;

  beforeAll(async () => {
    await project.up({ web: 3 });
    lb = await BalancerHandle.of(project);
    await lb.waitForReady(3);
  });

  afterAll(async () => {
    await project.down();
  });

  it('loses no GET when a replica is killed under load', async () => {
    const [victim] = await project.containerIds('web');
    const load = startLoad(lb.url, { connections: 20, durationSec: 6 });
    await waitFor('load on every replica', async () => (await lb.replicas()).replicas.every((r) => r.inflight > 0));
    await run('docker', ['kill', victim ?? '']);
    await expectClean(await load, () => project.logs('web-lb'));
    await lb.waitForReady(2);
  });

  it('keeps a replica in rotation after `docker kill -s HUP`', async () => {
    await project.up({ web: 3 });
    await lb.waitForReady(3);
    const [target] = await project.containerIds('web');
    await run('docker', ['kill', '-s', 'HUP', target ?? '']);
    // A HUP produces a kill event like SIGTERM does; give the balancer time to (wrongly) act on it.
    await waitFor('the HUP in the replica log', async () =>
      (await run('docker', ['logs', target ?? ''])).stdout.includes('SIGHUP'),
    );
    const counts = await countByReplica(`${lb.url}/fast`, 30);
    expect(counts.get((target ?? '').slice(0, 12))).toBe(10);
    const doc = await lb.replicas();
    expect(doc.replicas.map((r) => r.state)).toEqual(['ready', 'ready', 'ready']);
  });

  it('sends a POST that reached a replica only once, even when the replica drops it', async () => {
    const post = await get(`${lb.url}/drop`, { method: 'POST', headers: { 'x-request-id': 'post-once' }, body: 'x' });
    expect(post.status).toBe(502);
    expect(await timesSeen(project, 'post-once')).toBe(1);
    // The same failure on a GET is retried on other replicas (and all of them drop it here).
    const getResult = await get(`${lb.url}/drop`, { headers: { 'x-request-id': 'get-retried' } });
    expect(getResult.status).toBe(502);
    expect(await timesSeen(project, 'get-retried')).toBe(3);
  });
});

describeDocker('a service with no replicas', (flavor) => {
  // Requests are held for a replica this long before the 503 (30 s by default).
  const project = new ComposeProject(flavor, join(FIXTURES, 'balanced.yaml'), fixtureEnv({ LB_HOLD_TIMEOUT: '1s' }));

  afterAll(async () => {
    await project.down();
  });

  it('answers 503 naming the service, stays up, and recovers when a replica starts', async () => {
    await project.up({ web: 0 });
    const lb = await BalancerHandle.of(project);
    await waitFor('the balancer to listen', async () => (await lb.replicas()).replicas.length === 0);
    const empty = await get(`${lb.url}/`);
    expect(empty.status).toBe(503);
    expect(empty.body).toBe('no replica of service "web" became available in time\n');

    await project.up({ web: 1 });
    await lb.waitForReady(1);
    const served = await get(`${lb.url}/fast`);
    expect(served.status).toBe(200);
    expect(served.replica).toBe((await project.oneContainer('web')).slice(0, 12));
  });
});
