import { join } from 'node:path';
import { BalancerHandle, countByReplica } from './support/balancer';
import { ComposeProject, FIXTURES, containerIp, fixtureEnv } from './support/compose';
import { describeDocker } from './support/env';
import { waitFor } from './support/wait';

jest.setTimeout(180_000);

/** Log lines of the balancer that carry this message. */
async function logLines(project: ComposeProject, msg: string): Promise<Array<Record<string, unknown>>> {
  return (await project.logs('web-lb'))
    .split('\n')
    .map((line) => line.slice(line.indexOf('{')))
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((entry) => entry.msg === msg);
}

describeDocker('the balancer behind a filtering Docker socket proxy', (flavor) => {
  const project = new ComposeProject(flavor, join(FIXTURES, 'socket-proxy.yaml'), fixtureEnv());
  let lb: BalancerHandle;
  let filter: string;

  beforeAll(async () => {
    await project.up({ web: 2 });
    lb = await BalancerHandle.of(project);
    filter = await containerIp(await project.oneContainer('docker-api'));
  });

  afterAll(async () => {
    await project.down();
  });

  const control = async (action: string): Promise<void> => {
    const res = await fetch(`http://${filter}:2376/${action}`, { method: 'POST' });
    expect(res.status).toBe(200);
  };

  it('discovers and balances with only read-only API calls allowed', async () => {
    await lb.waitForReady(2);
    const counts = await countByReplica(`${lb.url}/fast`, 20);
    expect([...counts.values()]).toEqual([10, 10]);
  });

  it('is a real filter: reads pass, a container create is refused', async () => {
    expect((await fetch(`http://${filter}:2375/containers/json`)).status).toBe(200);
    const create = await fetch(`http://${filter}:2375/v1.41/containers/create`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ Image: process.env.APP_IMAGE }),
    });
    expect(create.status).toBe(403);
  });

  it('reconnects when the proxy cuts the events stream, and catches up', async () => {
    await control('cut-events');
    await waitFor('a reconnect', async () => (await logLines(project, 'docker events stream reconnected; re-listing replicas')).length > 0);
    await project.up({ web: 3 });
    await lb.waitForReady(3);
  });

  it('catches changes it got no event for at the next periodic re-list', async () => {
    await control('stall-events');
    await project.up({ web: 4 });
    await lb.waitForReady(4);
    const added = await logLines(project, 'replica added');
    expect(added.at(-1)).toMatchObject({ why: 'periodic resync' });
    await control('resume-events');
  });
});
