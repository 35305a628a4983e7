import type { Socket } from 'node:net';
import { join } from 'node:path';
import { BalancerHandle } from './support/balancer';
import { ComposeProject, FIXTURES, fixtureEnv } from './support/compose';
import { describeDocker } from './support/env';
import { run } from './support/exec';
import { openWebSocket } from './support/websocket';
import { waitFor } from './support/wait';

jest.setTimeout(180_000);

/** A gauge's value in the balancer's Prometheus metrics. */
async function gauge(lb: BalancerHandle, name: string): Promise<number> {
  const match = new RegExp(`^${name} (\\d+)`, 'm').exec(await lb.metrics());
  return Number(match?.[1] ?? NaN);
}

describeDocker('WebSockets through the balancer', (flavor) => {
  const project = new ComposeProject(flavor, join(FIXTURES, 'websocket.yaml'), fixtureEnv());

  afterAll(async () => {
    await project.down();
  });

  it('closes all 100 sockets of a replica that is scaled away, and its socket count returns to where it was', async () => {
    await project.up({ web: 1 });
    const lb = await BalancerHandle.of(project);
    await lb.waitForReady(1);
    const first = await project.oneContainer('web');
    const baseline = await gauge(lb, 'compose_lb_open_connections');

    const port = Number(new URL(lb.url).port);
    const sockets: Socket[] = [];
    for (let i = 0; i < 100; i++) {
      const ws = await openWebSocket(port);
      expect(ws.replica).toBe(first.slice(0, 12));
      sockets.push(ws.socket);
    }
    sockets[0]!.write('ping');
    await new Promise((resolve) => sockets[0]!.once('data', resolve));
    expect(await gauge(lb, 'compose_lb_open_websockets')).toBe(100);

    const closed = sockets.map((s) => new Promise((resolve) => s.once('close', resolve)));
    await project.up({ web: 2 });
    await lb.waitForReady(2);
    // Compose scales down by stopping and removing a container; do that to the one holding the sockets.
    await run('docker', ['stop', '-t', '1', first]);
    await run('docker', ['rm', first]);
    await Promise.all(closed);
    await waitFor('socket counts back to the baseline', async () =>
      (await gauge(lb, 'compose_lb_open_websockets')) === 0 &&
      (await gauge(lb, 'compose_lb_open_connections')) === baseline,
    );
    await lb.waitForReady(1);
  });
});
