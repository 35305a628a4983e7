import { ComposeInputError } from '../../../src/compose/compose-errors';
import type { ProcessResult } from '../../../src/runtime/process-runner';
import { ComposeRunError } from '../../../src/runtime/runtime-errors';
import { runCommands, writeBalancedProject, type CliRun } from './cli-harness';
import type { Script } from './fake-runner';
import { LB, PROBE, probeAnswer } from './fake-stack';
import { replica } from './replicas-fixtures';
import { useTempDir } from './temp-dir';

// drain and undrain against a fake Docker whose balancer answers per path.

const tmp = useTempDir();

const balancedProject = (): string => writeBalancedProject(tmp());

type Answers = Record<string, Partial<ProcessResult>>;

/** Compose v2 (or `compose`), the balancer running as LB, answering POSTs by path. */
function docker(answers: Answers, compose = 'docker compose'): Script {
  return (command) => {
    if (command === 'docker compose version') return compose.startsWith('docker compose') ? {} : { code: 125 };
    if (command === 'docker-compose version') return {};
    if (command === `${compose} ps -q web-lb`) return { stdout: `${LB}\n` };
    const post = `${PROBE} --method POST `;
    return command.startsWith(post) ? answers[command.slice(post.length)] : undefined;
  };
}

const changed = (didChange: boolean, ...args: Parameters<typeof replica>) =>
  probeAnswer(200, { changed: didChange, replica: replica(...args) });

async function drain(argv: string[], script: Script): Promise<CliRun> {
  balancedProject();
  return runCommands(tmp(), argv, script);
}

describe('compose-lb drain and undrain', () => {
  it('drains each replica through the balancer, one line each', async () => {
    const run = await drain(
      ['drain', 'web', '2', 'demo-web-3', 'c1ab'],
      docker({
        '/replicas/2/drain?service=web': changed(true, 2, 'drained', { inflight: 3 }),
        '/replicas/demo-web-3/drain?service=web': changed(false, 3, 'drained'),
        '/replicas/c1ab/drain?service=web': changed(true, 1, 'drained', { inflight: 1 }),
      }),
    );
    expect(run.error).toBeUndefined();
    expect(run.runner.calls).toEqual([
      'docker compose version',
      'docker compose ps -q web-lb',
      `${PROBE} --method POST /replicas/2/drain?service=web`,
      `${PROBE} --method POST /replicas/demo-web-3/drain?service=web`,
      `${PROBE} --method POST /replicas/c1ab/drain?service=web`,
    ]);
    expect(run.stdout).toBe(
      [
        'demo-web-2: drained (3 requests in flight finish first)',
        'demo-web-3: already drained',
        'demo-web-1: drained (1 request in flight finishes first)',
        '',
      ].join('\n'),
    );
  });

  it('undrains', async () => {
    const run = await drain(
      ['undrain', 'web', '2', '3'],
      docker({
        '/replicas/2/undrain?service=web': changed(true, 2, 'ready'),
        '/replicas/3/undrain?service=web': changed(false, 3, 'starting'),
      }),
    );
    expect(run.error).toBeUndefined();
    expect(run.stdout).toBe('demo-web-2: back in rotation\ndemo-web-3: was not drained (starting)\n');
  });

  it('URL-encodes the replica', async () => {
    const run = await drain(['drain', 'web', 'a b/c'], docker({ '/replicas/a%20b%2Fc/drain?service=web': changed(true, 2, 'drained') }));
    expect(run.error).toBeUndefined();
  });

  it('refuses (exit 2) unknown and ambiguous replicas with the balancer\'s words, after doing the others', async () => {
    const run = await drain(
      ['drain', 'web', '9', 'abcd', '2'],
      docker({
        '/replicas/9/drain?service=web': probeAnswer(404, { error: 'no replica "9" (name, Compose number or container ID)' }),
        '/replicas/abcd/drain?service=web': probeAnswer(409, { error: '"abcd" is the start of 2 replicas\' IDs' }),
        '/replicas/2/drain?service=web': changed(true, 2, 'drained'),
      }),
    );
    expect(run.error).toBeInstanceOf(ComposeInputError);
    expect((run.error as Error).message).toBe(
      'no replica "9" (name, Compose number or container ID); "abcd" is the start of 2 replicas\' IDs',
    );
    expect(run.stdout).toBe('demo-web-2: drained (no requests in flight)\n');
  });

  it('fails (exit 1) when the balancer refuses otherwise, or docker exec fails', async () => {
    const forbidden = await drain(
      ['drain', 'web', '2'],
      docker({ '/replicas/2/drain?service=web': probeAnswer(403, { error: 'from the balancer\'s own container only' }) }),
    );
    expect(forbidden.error).toEqual(
      new ComposeRunError("cannot drain 2 (docker exec f00dfeedbeef): from the balancer's own container only"),
    );
    const gone = await drain(
      ['undrain', 'web', '2'],
      docker({ '/replicas/2/undrain?service=web': { code: 1, stderr: 'Error response from daemon: container is not running\n' } }),
    );
    expect(gone.error).toEqual(
      new ComposeRunError(
        'cannot undrain 2 (docker exec f00dfeedbeef): Error response from daemon: container is not running',
      ),
    );
  });

  it('fails (exit 1) when the balancer is not running', async () => {
    const run = await drain(['drain', 'web', '2'], (c) => (c.endsWith('ps -q web-lb') ? { stdout: '' } : docker({})(c)));
    expect(run.error).toEqual(new ComposeRunError('web-lb is not running'));
    expect(run.runner.calls.some((c) => c.startsWith('docker exec'))).toBe(false);
  });

  it('passes -f and -p on to Compose (v1 here)', async () => {
    const path = balancedProject();
    const compose = `docker-compose -f ${path} -p shop`;
    const run = await drain(
      ['drain', 'web', '2', '-f', 'compose.yaml', '-p', 'shop'],
      docker({ '/replicas/2/drain?service=web': changed(true, 2, 'drained') }, compose),
    );
    expect(run.error).toBeUndefined();
    expect(run.runner.calls).toContain(`${compose} ps -q web-lb`);
  });

  it('refuses (exit 2) a service without a balancer before running anything', async () => {
    const run = await drain(['drain', 'api', '2'], docker({}));
    expect(run.error).toBeInstanceOf(ComposeInputError);
    expect((run.error as Error).message).toBe('api has no balancer in compose.yaml; run `compose-lb add api` first');
    expect(run.runner.calls).toEqual([]);
  });
});
