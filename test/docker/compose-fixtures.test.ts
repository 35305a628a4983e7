import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { composeCommand } from './support/compose';
import { describeDocker } from './support/env';
import { run } from './support/exec';

jest.setTimeout(120_000);

const FIXTURES = join(__dirname, '..', 'fixtures', 'compose');
/** Uses the Compose Specification only (no v1 file format): v1 does not read it. */
const SPEC_ONLY = new Set(['compose-spec-only']);

/** Every fixture's input and the golden files `add` and `remove` must produce from it. */
const files = readdirSync(FIXTURES, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(FIXTURES, d.name, 'case.json')))
  .flatMap((d) =>
    readdirSync(join(FIXTURES, d.name))
      .filter((f) => f.endsWith('.yml'))
      .map((f) => [d.name, f] as const),
  );

/**
 * The golden files are only worth something if Compose itself accepts them:
 * `config` parses and validates a file and starts nothing.
 */
describeDocker('the compose fixtures, as Compose reads them', (flavor) => {
  const cases = files.filter(([dir]) => flavor === 'v2' || !SPEC_ONLY.has(dir));
  it.each(cases)('%s/%s is a file Compose accepts', async (dir, file) => {
    const [cmd, pre] = composeCommand(flavor);
    await run(cmd, [...pre, '-f', file, 'config', '-q'], { cwd: join(FIXTURES, dir), timeoutMs: 30_000 });
  });
});
