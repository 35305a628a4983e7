import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddRequest } from '../../../src/compose/add-balancer';
import { parseComposeFile, type ComposeFile } from '../../../src/compose/compose-file';
import { parseListenAddress } from '../../../src/compose/listen-address';

export const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'compose');

/** The image and socket group every fixture's expected output was written with. */
export const FIXTURE_IMAGE = 'compose-lb:0.1.0';
export const FIXTURE_GID = 999;

export interface Fixture {
  readonly name: string;
  readonly dir: string;
  readonly input: string;
  /** undefined where add is a no-op (the file already has a balancer). */
  readonly expectedAdd: string | undefined;
  readonly request: AddRequest;
}

interface CaseFile {
  service: string;
  port?: number;
  listen?: string;
}

export function fixtures(): Fixture[] {
  return readdirSync(FIXTURES)
    .filter((name) => existsSync(join(FIXTURES, name, 'case.json')))
    .map((name) => {
      const dir = join(FIXTURES, name);
      const spec = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')) as CaseFile;
      const expected = join(dir, 'expected-add.yml');
      return {
        name,
        dir,
        input: readFileSync(join(dir, 'input.yml'), 'utf8'),
        expectedAdd: existsSync(expected) ? readFileSync(expected, 'utf8') : undefined,
        request: {
          service: spec.service,
          image: FIXTURE_IMAGE,
          dockerGid: FIXTURE_GID,
          port: spec.port,
          listen: spec.listen === undefined ? undefined : parseListenAddress(spec.listen),
        },
      };
    });
}

export function fixture(name: string): Fixture {
  const found = fixtures().find((f) => f.name === name);
  if (!found) throw new Error(`no fixture ${name}`);
  return found;
}

export function compose(source: string): ComposeFile {
  return parseComposeFile(source, 'compose.yaml');
}

/** Runs `fn`, expecting it to throw; returns the error for closer checks. */
export function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
}
