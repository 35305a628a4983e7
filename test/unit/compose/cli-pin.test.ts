import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ComposeInputError } from '../../../src/compose/compose-errors';
import { runCommands } from './cli-harness';
import type { Script } from './fake-runner';
import { FIXTURES } from './fixtures';
import { useTempDir } from './temp-dir';

// `add --pin` asks Docker for the image's RepoDigests (faked here).

const tmp = useTempDir();
const DIGEST = 'sha256:' + '1f'.repeat(32);

function project(): string {
  const path = join(tmp(), 'compose.yaml');
  copyFileSync(join(FIXTURES, 'env-file', 'input.yml'), path);
  return path;
}

const inspect =
  (image: string, answer: { stdout?: string; stderr?: string; code?: number }): Script =>
  (command) =>
    command === `docker image inspect --format {{json .RepoDigests}} ${image}` ? answer : undefined;

describe('compose-lb add --pin', () => {
  it('writes the image by digest, with the reference it pins beside it', async () => {
    const path = project();
    const image = 'ghcr.io/acme/compose-lb:0.1.0';
    const run = await runCommands(
      tmp(),
      ['add', 'app', '--pin', '--image', image],
      inspect(image, { stdout: `["ghcr.io/acme/compose-lb@${DIGEST}"]\n` }),
    );
    expect(run.error).toBeUndefined();
    expect(readFileSync(path, 'utf8')).toContain(
      `    image: ghcr.io/acme/compose-lb@${DIGEST} # ${image}, pinned by --pin\n`,
    );
    expect(run.stdout).toContain(`added app-lb (${image}, pinned to ghcr.io/acme/compose-lb@${DIGEST})`);
  });

  it('refuses (exit 2) an image built here, which has no digest, and writes nothing', async () => {
    const path = project();
    const before = readFileSync(path, 'utf8');
    const run = await runCommands(tmp(), ['add', 'app', '--pin'], inspect('compose-lb:0.1.0', { stdout: '[]\n' }));
    expect(run.error).toBeInstanceOf(ComposeInputError);
    expect((run.error as Error).message).toMatch(/^cannot pin compose-lb:0.1.0: it has no registry digest/);
    expect(readFileSync(path, 'utf8')).toBe(before);
  });

  it('refuses (exit 2) an image that is not on this machine', async () => {
    project();
    const run = await runCommands(
      tmp(),
      ['add', 'app', '--pin'],
      inspect('compose-lb:0.1.0', { code: 1, stderr: 'Error response from daemon: No such image: compose-lb:0.1.0\n' }),
    );
    expect((run.error as Error).message).toBe(
      'cannot pin compose-lb:0.1.0: there is no such image on this machine; pull or build it first',
    );
  });

  it('does not ask Docker when there is nothing to add', async () => {
    const path = join(tmp(), 'compose.yaml');
    copyFileSync(join(FIXTURES, 'already-balanced', 'input.yml'), path);
    const run = await runCommands(tmp(), ['add', 'web', '--pin'], () => undefined);
    expect(run.error).toBeUndefined();
    expect(run.runner.calls).toEqual([]);
  });
});
