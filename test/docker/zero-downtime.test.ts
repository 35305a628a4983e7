import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BalancerHandle } from './support/balancer';
import { ComposeProject, FIXTURES, fixtureEnv } from './support/compose';
import { describeDocker } from './support/env';
import { run } from './support/exec';
import { underLoad, type TaggedLoadResult } from './support/tagged-load';
import { waitFor } from './support/wait';

jest.setTimeout(300_000);

const REPLICAS = 3;

interface Target {
  /** How the replica behaves when Docker stops it. */
  readonly kind: string;
  readonly service: 'web' | 'cgi';
  /** A path whose answer takes 100 ms. */
  readonly path: string;
  /** The variable naming its image in the fixture. */
  readonly imageVar: 'APP_IMAGE' | 'BUSYBOX_IMAGE';
}

const TARGETS: readonly Target[] = [
  { kind: 'the demo app (finishes its requests and exits on SIGTERM)', service: 'web', path: '/', imageVar: 'APP_IMAGE' },
  { kind: 'busybox httpd (ignores SIGTERM until Docker kills it)', service: 'cgi', path: '/cgi-bin/hello', imageVar: 'BUSYBOX_IMAGE' },
];

/** Every request line the replicas of a run wrote, as "METHOD id", from all their logs. */
function requestLines(dir: string): string[] {
  return readdirSync(dir).flatMap((file) => readFileSync(join(dir, file), 'utf8').split('\n').filter(Boolean));
}

/** No POST reached replicas twice, and every POST answered 2xx reached exactly one. */
function expectEachPostOnce(result: TaggedLoadResult, dir: string): void {
  const seen = new Map<string, number>();
  for (const line of requestLines(dir)) {
    const [method, id = ''] = line.split(' ');
    if (method === 'POST') seen.set(id, (seen.get(id) ?? 0) + 1);
  }
  const twice = [...seen].filter(([, n]) => n > 1).map(([id]) => id);
  expect(twice).toEqual([]);
  const lost = result.postsAnswered.filter((id) => seen.get(id) !== 1);
  expect(lost).toEqual([]);
}

/** The balancer's warnings, to explain a failure; retries and ejections are routine while replicas restart. */
async function balancerWarnings(lb: BalancerHandle): Promise<string[]> {
  const routine = /retrying on another|ejected after failed connections/;
  return (await lb.logs())
    .split('\n')
    .filter((l) => /"level":"(warn|error)"/.test(l) && !routine.test(l))
    .slice(-30);
}

/** Short IDs of the replicas the balancer logged as draining. */
async function drainedIds(lb: BalancerHandle): Promise<Set<string>> {
  const ids = new Set<string>();
  for (const line of (await lb.logs()).split('\n')) {
    const json = line.slice(line.indexOf('{'));
    if (json.includes('"replica draining"')) ids.add((JSON.parse(json) as { id: string }).id);
  }
  return ids;
}

describeDocker('replacing every replica of a service under load', (flavor) => {
  const requestLog = mkdtempSync(join(tmpdir(), 'clb-requests-'));
  // The demo app runs as uid 1000; busybox as root.
  chmodSync(requestLog, 0o777);
  const project = new ComposeProject(flavor, join(FIXTURES, 'rollouts.yaml'), fixtureEnv({ REQUEST_LOG: requestLog }));
  const balancers = new Map<string, BalancerHandle>();
  const extraTags: string[] = [];

  beforeAll(async () => {
    await project.up({ web: REPLICAS, cgi: REPLICAS });
    for (const { service } of TARGETS) {
      const lb = await BalancerHandle.of(project, `${service}-lb`);
      await lb.waitForReady(REPLICAS);
      balancers.set(service, lb);
    }
  });

  afterAll(async () => {
    await project.down();
    if (extraTags.length > 0) await run('docker', ['rmi', ...extraTags]).catch(() => undefined);
    rmSync(requestLog, { recursive: true, force: true });
  });

  /** A new tag of the image the service runs, so Compose sees a changed service and recreates it. */
  async function newImageTag(target: Target): Promise<void> {
    const current = fixtureEnv()[target.imageVar] as string;
    const next = `${current}-rollout${extraTags.length + 1}`;
    await run('docker', ['tag', current, next]);
    extraTags.push(next);
    project.setEnv({ [target.imageVar]: next });
  }

  const OPERATIONS: ReadonlyArray<readonly [string, (target: Target) => Promise<unknown>]> = [
    ['docker compose restart', (t) => project.compose(['restart', t.service])],
    [
      'up -d --force-recreate',
      (t) => project.compose(['up', '-d', '--no-deps', '--force-recreate', '--scale', `${t.service}=${REPLICAS}`, t.service]),
    ],
    [
      'a new image, then up -d',
      async (t) => {
        await newImageTag(t);
        return project.compose(['up', '-d', '--no-deps', '--scale', `${t.service}=${REPLICAS}`, t.service]);
      },
    ],
    [
      'compose-lb rollout (a new image)',
      async (t) => {
        await newImageTag(t);
        return project.cli(['rollout', t.service, '-f', project.file, '-p', project.name, '--timeout', '90s']);
      },
    ],
  ];

  describe.each(TARGETS.map((t) => [t.kind, t]))('%s', (_kind, target) => {
    it.each(OPERATIONS.map(([name, op]) => [name, op]))(
      'loses no GET or POST, and handles each POST once, through %s',
      async (_name, operation) => {
        const lb = balancers.get(target.service) as BalancerHandle;
        const before = await project.containerIds(target.service);
        for (const file of readdirSync(requestLog)) rmSync(join(requestLog, file));
        const result = await underLoad(lb.url, { connections: 20, path: target.path }, async () => {
          await waitFor('load on every replica', async () => (await lb.replicas()).replicas.every((r) => r.inflight > 0));
          await operation(target);
          await lb.waitForReady(REPLICAS, 60_000);
          // Some of the load on the replicas that serve now, before it stops.
          const served = (await lb.replicas()).replicas.reduce((n, r) => n + r.served, 0);
          await waitFor('load on the new replicas', async () =>
            (await lb.replicas()).replicas.reduce((n, r) => n + r.served, 0) >= served + 50,
          );
        });

        const outcome = { failed: result.failed, byStatus: result.byStatus, errors: result.errors, answers: result.failures };
        if (result.failed > 0) Object.assign(outcome, { balancer: await balancerWarnings(lb) });
        expect(outcome).toEqual({ failed: 0, byStatus: { '200': result.sent }, errors: [], answers: [] });
        expect(result.postsSent.length).toBeGreaterThan(50);
        expectEachPostOnce(result, requestLog);
        // Every replica that was replaced was drained first, at its stop signal.
        const drained = await drainedIds(lb);
        for (const id of before) expect(drained).toContain(id.slice(0, 12));
      },
    );
  });
});
