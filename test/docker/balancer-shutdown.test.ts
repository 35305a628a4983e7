import { connect } from 'node:net';
import { join } from 'node:path';
import { BalancerHandle, get } from './support/balancer';
import { ComposeProject, FIXTURES, fixtureEnv } from './support/compose';
import { describeDocker } from './support/env';
import { run } from './support/exec';
import { waitFor } from './support/wait';

jest.setTimeout(180_000);

describeDocker('stopping the balancer', (flavor) => {
  // Slow replicas, so requests are surely in flight when the balancer gets SIGTERM.
  const project = new ComposeProject(flavor, join(FIXTURES, 'balanced.yaml'), fixtureEnv({ DEMO_DELAY_MS: '1500' }));

  afterAll(async () => {
    await project.down();
  });

  it('finishes requests in flight on SIGTERM, then exits 0 and refuses connections', async () => {
    await project.up({ web: 2 });
    const lb = await BalancerHandle.of(project);
    await lb.waitForReady(2);
    const inFlight = Array.from({ length: 10 }, () => get(`${lb.url}/`));
    await waitFor('10 requests in flight', async () => {
      const doc = await lb.replicas();
      return doc.replicas.reduce((n, r) => n + r.inflight, 0) === 10;
    });
    const stopped = run('docker', ['stop', '-t', '20', lb.containerId]);
    const answers = await Promise.all(inFlight);
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
    await stopped;
    const { stdout } = await run('docker', ['inspect', '--format', '{{.State.ExitCode}}', lb.containerId]);
    expect(stdout.trim()).toBe('0');
    expect(await project.logs('web-lb')).toContain('stopped cleanly');
    const port = Number(new URL(lb.url).port);
    await expect(
      new Promise((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () => {
          socket.destroy();
          resolve('connected');
        });
        socket.on('error', reject);
      }),
    ).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
