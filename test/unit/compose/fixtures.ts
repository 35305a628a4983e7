import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddRequest } from '../../../src/compose/add-balancer';
import type { SocketLayout } from '../../../src/compose/discovery-plan';
import type { Mode } from '../../../src/config';
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
  /** The first add. */
  readonly request: AddRequest;
  /** Every add, in order: the first, then those that route more services through its balancer or get their own. */
  readonly requests: readonly AddRequest[];
  /** What removing the first service leaves while the others stay, where the case has routes. */
  readonly expectedRemoveFirst: string | undefined;
}

interface AddCase {
  service: string;
  port?: number;
  listen?: string;
  host?: string;
  pathPrefix?: string;
  stripPrefix?: boolean;
  mode?: Mode;
  socket?: SocketLayout;
  swarm?: boolean;
}

interface CaseFile extends AddCase {
  /** More adds after the first: routes of its balancer, or (`mode: tcp`) balancers of their own. */
  then?: AddCase[];
}

function requestOf(spec: AddCase): AddRequest {
  const routed = spec.host !== undefined || spec.pathPrefix !== undefined;
  return {
    service: spec.service,
    image: FIXTURE_IMAGE,
    dockerGid: FIXTURE_GID,
    port: spec.port,
    listen: spec.listen === undefined ? undefined : parseListenAddress(spec.listen),
    rule: routed ? { host: spec.host, pathPrefix: spec.pathPrefix, stripPrefix: spec.stripPrefix === true } : undefined,
    mode: spec.mode,
    socket: spec.socket,
    swarm: spec.swarm,
  };
}

function readIfThere(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

export function fixtures(): Fixture[] {
  return readdirSync(FIXTURES)
    .filter((name) => existsSync(join(FIXTURES, name, 'case.json')))
    .map((name) => {
      const dir = join(FIXTURES, name);
      const spec = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')) as CaseFile;
      const request = requestOf(spec);
      return {
        name,
        dir,
        input: readFileSync(join(dir, 'input.yml'), 'utf8'),
        expectedAdd: readIfThere(join(dir, 'expected-add.yml')),
        request,
        requests: [request, ...(spec.then ?? []).map(requestOf)],
        expectedRemoveFirst: readIfThere(join(dir, 'expected-remove-first.yml')),
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
