import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BalancerHandle, countByReplica, evenlySpread } from './support/balancer';
import { ComposeProject, FIXTURES, fixtureEnv } from './support/compose';
import { describeDocker } from './support/env';
import { run } from './support/exec';

jest.setTimeout(240_000);

const CLI = join(__dirname, '..', '..', 'dist', 'compose-lb.js');

describeDocker('compose-lb add, then scale, on a real engine', (flavor) => {
  const dir = mkdtempSync(join(tmpdir(), 'compose-lb-cli-'));
  const file = join(dir, 'compose.yaml');
  copyFileSync(join(FIXTURES, 'before-add.yaml'), file);
  const project = new ComposeProject(flavor, file, fixtureEnv());
  // The CLI runs Compose itself; the project name reaches it the way it reaches any Compose.
  const env = {
    ...process.env,
    ...fixtureEnv(),
    COMPOSE_PROJECT_NAME: project.name,
    COMPOSE_LB_COMPOSE: flavor === 'v2' ? 'docker compose' : 'docker-compose',
  };
  const cli = (...args: string[]) => run(process.execPath, [CLI, ...args], { env, cwd: dir, timeoutMs: 180_000 });

  afterAll(async () => {
    await project.down();
    rmSync(dir, { recursive: true, force: true });
  });

  it('rewrites the file into one Compose accepts, scales to 3 and serves through the balancer', async () => {
    await cli('add', 'web', '--image', fixtureEnv().LB_IMAGE ?? '');
    // The default layout: the balancer without the socket, compose-lb-discovery with it.
    expect(readFileSync(file, 'utf8')).toMatch(/^ {2}web-lb:\n[^]*^ {2}compose-lb-discovery:/m);
    await project.compose(['config', '-q']);

    const scaled = await cli('scale', 'web=3');
    expect(scaled.stdout).toContain('3 of 3 replicas ready');
    expect(await project.containerIds('web')).toHaveLength(3);

    const lb = await BalancerHandle.of(project);
    const counts = await countByReplica(`${lb.url}/fast`, 30);
    const ids = (await project.containerIds('web')).map((id) => id.slice(0, 12));
    expect(evenlySpread(counts, ids, 30)).toBe(true);

    const status = await cli('status');
    expect(status.stdout).toMatch(/3 of 3 ready/);
  });
});
