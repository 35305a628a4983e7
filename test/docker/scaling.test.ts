import { join } from 'node:path';
import { BalancerHandle, countByReplica, evenlySpread } from './support/balancer';
import { ComposeProject, FIXTURES, fixtureEnv } from './support/compose';
import { describeDocker } from './support/env';
import { run } from './support/exec';
import { expectClean, startLoad } from './support/load';
import { waitFor } from './support/wait';

jest.setTimeout(180_000);

/** Replicas answer with their hostname, which Docker sets to the container's short ID. */
const shortIds = (ids: readonly string[]): string[] => ids.map((id) => id.slice(0, 12)).sort();

async function startedAt(id: string): Promise<string> {
  const { stdout } = await run('docker', ['inspect', '--format', '{{.State.StartedAt}} {{.RestartCount}}', id]);
  return stdout.trim();
}

describeDocker('scaling a balanced service', (flavor) => {
  const project = new ComposeProject(flavor, join(FIXTURES, 'balanced.yaml'), fixtureEnv());
  let lb: BalancerHandle;
  let lbStarted: string;

  beforeAll(async () => {
    await project.up({ web: 3 });
    lb = await BalancerHandle.of(project);
    lbStarted = await startedAt(lb.containerId);
    await lb.waitForReady(3);
  });

  afterAll(async () => {
    await project.down();
  });

  it('spreads 300 sequential requests exactly evenly over 3 replicas', async () => {
    const counts = await countByReplica(`${lb.url}/fast`, 300);
    expect([...counts.keys()].sort()).toEqual(shortIds(await project.containerIds('web')));
    expect(evenlySpread(counts, shortIds(await project.containerIds('web')), 300)).toBe(true);
  });

  it('sends traffic to every new replica when scaled from 3 to 6, without restarting', async () => {
    await project.up({ web: 6 });
    const ids = shortIds(await project.containerIds('web'));
    expect(ids).toHaveLength(6);
    await lb.waitForReady(6);
    const counts = await countByReplica(`${lb.url}/fast`, 60);
    expect([...counts.keys()].sort()).toEqual(ids);
    expect(evenlySpread(counts, ids, 60)).toBe(true);
    expect(await startedAt(lb.containerId)).toBe(lbStarted);
  });

  it('loses no request when scaled from 6 to 1 under load', async () => {
    const load = startLoad(lb.url, { connections: 20, durationSec: 8 });
    // Let the load reach all six replicas before removing five of them.
    await waitFor('load on every replica', async () => (await lb.replicas()).replicas.every((r) => r.inflight > 0));
    await project.up({ web: 1 });
    const result = await load;
    await expectClean(result, () => project.logs('web-lb'));
    expect(result.total).toBeGreaterThan(100);
    await lb.waitForReady(1);
  });
});
