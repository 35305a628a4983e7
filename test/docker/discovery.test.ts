import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BalancerHandle } from './support/balancer';
import { ComposeProject, FIXTURES, fixtureEnv } from './support/compose';
import { describeDocker } from './support/env';
import { run } from './support/exec';
import { underLoad, type TaggedLoadResult } from './support/tagged-load';
import { waitFor } from './support/wait';

jest.setTimeout(240_000);

/** Every POST the replicas logged, counted by id: each answered POST exactly once, none twice. */
function postsOnce(result: TaggedLoadResult, dir: string): { twice: string[]; lost: string[] } {
  const seen = new Map<string, number>();
  for (const file of readdirSync(dir)) {
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
      const [method, id = ''] = line.split(' ');
      if (method === 'POST') seen.set(id, (seen.get(id) ?? 0) + 1);
    }
  }
  return {
    twice: [...seen].filter(([, n]) => n > 1).map(([id]) => id),
    lost: result.postsAnswered.filter((id) => seen.get(id) !== 1),
  };
}

describeDocker('the balancer without the socket, fed by discovery', (flavor) => {
  const requestLog = mkdtempSync(join(tmpdir(), 'clb-split-'));
  chmodSync(requestLog, 0o777);
  const project = new ComposeProject(flavor, join(FIXTURES, 'split.yaml'), fixtureEnv({ REQUEST_LOG: requestLog }));
  let lb: BalancerHandle;

  beforeAll(async () => {
    await project.up({ web: 2 });
    lb = await BalancerHandle.of(project);
    await lb.waitForReady(2);
  });

  afterAll(async () => {
    await project.down();
    rmSync(requestLog, { recursive: true, force: true });
  });

  it('has no Docker socket in the balancer, so no Docker API call can be made from it', async () => {
    const { stdout } = await run('docker', ['inspect', '--format', '{{json .Mounts}} {{.HostConfig.ReadonlyRootfs}} {{json .HostConfig.CapDrop}}', lb.containerId]);
    expect(stdout).not.toContain('docker.sock');
    expect(stdout).toContain('true ["ALL"]');
    const tryPost =
      "require('http').request({socketPath:'/var/run/docker.sock',method:'POST',path:'/containers/create'})" +
      ".on('error',e=>{console.log(e.code);process.exit(0)}).end()";
    const { stdout: code } = await run('docker', ['exec', lb.containerId, 'node', '-e', tryPost]);
    expect(code.trim()).toBe('ENOENT');
    const health = (await (await fetch(`${lb.networkUrl}:8081/healthz`)).json()) as { replicasFrom: { source: string } };
    expect(health.replicasFrom.source).toBe('discovery');
  });

  it('loses no request, and sends no POST twice, while the service scales 2 -> 6 -> 1 -> 3', async () => {
    const result = await underLoad(lb.url, { connections: 16 }, async () => {
      for (const n of [6, 1, 3]) {
        await project.up({ web: n });
        await lb.waitForReady(n);
      }
    });
    expect({ failed: result.failed, failures: result.failures, errors: result.errors }).toEqual({ failed: 0, failures: [], errors: [] });
    expect(postsOnce(result, requestLog)).toEqual({ twice: [], lost: [] });
  });

  it('loses no GET when a replica is killed (SIGKILL; a POST it was handling would be lost, and is never resent)', async () => {
    const result = await underLoad(lb.url, { connections: 16, methods: ['GET'] }, async () => {
      const [victim] = await project.containerIds('web');
      await waitFor('load on every replica', async () => (await lb.replicas()).replicas.every((r) => r.inflight > 0));
      await run('docker', ['kill', victim ?? '']);
      await lb.waitForReady(2);
    });
    expect({ failed: result.failed, failures: result.failures, errors: result.errors }).toEqual({ failed: 0, failures: [], errors: [] });
  });

  it('keeps serving with its last view while discovery restarts, says so, and follows again after', async () => {
    const result = await underLoad(lb.url, { connections: 8 }, async () => {
      const discovery = await project.oneContainer('compose-lb-discovery');
      await run('docker', ['stop', '-t', '1', discovery]);
      await waitFor('the balancer to call its view stale', async () => {
        const health = (await (await fetch(`${lb.networkUrl}:8081/healthz`)).json()) as { status: string };
        return health.status === 'stale';
      });
      await run('docker', ['start', discovery]);
      await waitFor('the balancer to follow discovery again', async () => {
        const health = (await (await fetch(`${lb.networkUrl}:8081/healthz`)).json()) as { status: string };
        return health.status === 'ok';
      });
      // Changes after the restart reach the balancer.
      await project.up({ web: 4 });
      await lb.waitForReady(4);
    });
    expect({ failed: result.failed, failures: result.failures, errors: result.errors }).toEqual({ failed: 0, failures: [], errors: [] });
  });
});
