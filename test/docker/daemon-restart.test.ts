import { join } from 'node:path';
import { BalancerHandle, countByReplica } from './support/balancer';
import { ComposeProject, FIXTURES, fixtureEnv } from './support/compose';
import { describeDocker, describeHostChanging } from './support/env';
import { run } from './support/exec';
import { waitFor } from './support/wait';

jest.setTimeout(240_000);

const ROOT = join(__dirname, '..', '..');

/**
 * Restarting dockerd is disruptive, so outside CI this runs only when asked
 * (COMPOSE_LB_RESTART_DOCKERD=1). It needs live-restore, so containers keep
 * running while the daemon is down (scripts/setup-docker.sh starts dockerd so).
 */
const describeRestart = describeHostChanging('COMPOSE_LB_RESTART_DOCKERD', describeDocker);

async function daemonUp(): Promise<boolean> {
  return run('docker', ['info'], { timeoutMs: 5_000 }).then(
    () => true,
    () => false,
  );
}

describeRestart('a Docker daemon restart', (flavor) => {
  const project = new ComposeProject(flavor, join(FIXTURES, 'daemon-restart.yaml'), fixtureEnv());

  afterAll(async () => {
    if (!(await daemonUp())) await run('bash', [join(ROOT, 'scripts', 'setup-docker.sh')]);
    await project.down();
  });

  it('keeps serving while dockerd is down, then re-lists what changed meanwhile', async () => {
    const { stdout: liveRestore } = await run('docker', ['info', '--format', '{{.LiveRestoreEnabled}}']);
    expect(liveRestore.trim()).toBe('true');
    await project.up({ web: 3 });
    const lb = await BalancerHandle.of(project);
    await lb.waitForReady(3);
    const [doomed] = await project.containerIds('web');
    const { stdout: pid } = await run('docker', ['inspect', '--format', '{{.State.Pid}}', doomed ?? '']);

    await run('pkill', ['-TERM', '-x', 'dockerd']);
    await waitFor('dockerd to stop', async () => !(await daemonUp()), { timeoutMs: 60_000 });
    await waitFor('the dockerd process to exit', async () => run('pgrep', ['-x', 'dockerd']).then(() => false, () => true), {
      timeoutMs: 60_000,
    });
    // Blind: no events, no API. The replica dies now and nobody tells the balancer.
    // (Published ports go through dockerd's docker-proxy, which is down too: use the balancer's IP.)
    await run('kill', ['-9', pid.trim()]);
    const counts = await countByReplica(`${lb.networkUrl}/fast`, 30);
    expect([...counts.values()].reduce((a, b) => a + b, 0)).toBe(30);
    expect(counts.has((doomed ?? '').slice(0, 12))).toBe(false);

    await run('bash', [join(ROOT, 'scripts', 'setup-docker.sh')]);
    await lb.waitForReady(2, 60_000);
    const logs = await project.logs('web-lb');
    expect(logs).toMatch(/docker events stream (ended|failed)/);
    expect(logs).toContain('docker events stream reconnected');
    // Compose starts the killed container again, and a fourth one. With live-restore, Docker 20.10
    // leaves the killed container's network sandbox on the bridge, and a container that gets its IP
    // gets its MAC too (moby/moby#27404): other containers' connections to that one reach the old
    // sandbox and are refused. The balancer puts in rotation what accepts its connections.
    await project.up({ web: 4 });
    const inRotation = await waitFor('a started replica in rotation beside the two that lived', async () => {
      const ready = (await lb.replicas()).replicas.filter((r) => r.state === 'ready').map((r) => r.id);
      return ready.length >= 3 && ready;
    });
    // Every replica in rotation answers, and none out of it does.
    const answered = [...(await countByReplica(`${lb.url}/fast`, 40)).keys()];
    const readyAfter = (await lb.replicas()).replicas.filter((r) => r.state === 'ready').map((r) => r.id);
    expect(answered).toEqual(expect.arrayContaining(inRotation));
    expect(readyAfter).toEqual(expect.arrayContaining(answered));
  });
});
