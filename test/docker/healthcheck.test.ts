import { join } from 'node:path';
import { BalancerHandle, countByReplica } from './support/balancer';
import { ComposeProject, FIXTURES, fixtureEnv } from './support/compose';
import { describeDocker } from './support/env';
import { run } from './support/exec';
import { waitFor } from './support/wait';

jest.setTimeout(180_000);

const markReady = (id: string): Promise<unknown> =>
  run('docker', ['exec', id, 'node', '-e', "require('fs').writeFileSync('/tmp/ready', '')"]);

describeDocker('replicas with a Docker HEALTHCHECK', (flavor) => {
  const project = new ComposeProject(flavor, join(FIXTURES, 'healthchecked.yaml'), fixtureEnv());

  afterAll(async () => {
    await project.down();
  });

  it('sends a replica no traffic until it reports healthy', async () => {
    await project.up({ web: 1 });
    const first = await project.oneContainer('web');
    await markReady(first);
    const lb = await BalancerHandle.of(project);
    await lb.waitForReady(1);

    await project.up({ web: 2 });
    const second = (await project.containerIds('web')).find((id) => id !== first) ?? '';
    const starting = await waitFor('the new replica to be known', async () => {
      const doc = await lb.replicas();
      return doc.replicas.find((r) => second.startsWith(r.id));
    });
    expect(starting.state).toBe('starting');
    const before = await countByReplica(`${lb.url}/fast`, 20);
    expect([...before.keys()]).toEqual([first.slice(0, 12)]);

    await markReady(second);
    await lb.waitForReady(2);
    const after = await countByReplica(`${lb.url}/fast`, 20);
    expect(after.get(second.slice(0, 12))).toBe(10);
  });
});
