import { InvalidArgumentError, type Command } from 'commander';
import { parseDuration, parsePort } from '../config';
import { systemClock, type Clock } from '../compose/clock';
import { parseComposeFile, type ComposeFile } from '../compose/compose-file';
import { displayPath, locateComposeFile, readComposeSource, type LocatedFile } from '../compose/compose-file-io';
import { systemGidSources, type GidSources } from '../compose/docker-gid';
import { spawnRunner, type ProcessRunner } from '../compose/process-runner';
import { packageVersion } from './package-version';

/** What the compose commands touch outside themselves; tests pass fakes. */
export interface ComposeCliDeps {
  readonly cwd: () => string;
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly runner: ProcessRunner;
  readonly clock: Clock;
  readonly gidSources: GidSources;
  readonly version: () => string;
}

export function defaultDeps(): ComposeCliDeps {
  return {
    cwd: () => process.cwd(),
    env: process.env,
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    runner: spawnRunner,
    clock: systemClock,
    gidSources: systemGidSources,
    version: packageVersion,
  };
}

export function warn(deps: ComposeCliDeps, message: string): void {
  deps.stderr(`compose-lb: warning: ${message}\n`);
}

/** The -f option every compose command takes. */
export function addFileOption(command: Command): Command {
  return command.option(
    '-f, --file <path>',
    'the compose file (default: compose.yaml, compose.yml, docker-compose.yml or docker-compose.yaml, here or in a parent directory; or COMPOSE_FILE)',
  );
}

export interface LoadedCompose {
  readonly located: LocatedFile;
  /** The path as messages show it. */
  readonly label: string;
  readonly source: string;
  readonly file: ComposeFile;
}

/** Finds, reads and parses the compose file; every failure is an input error (exit 2). */
export function loadCompose(file: string | undefined, deps: ComposeCliDeps): LoadedCompose {
  const cwd = deps.cwd();
  const located = locateComposeFile(file, cwd, deps.env);
  for (const w of located.warnings) warn(deps, w);
  const label = displayPath(located.path, cwd);
  const source = readComposeSource(located.path, cwd);
  return { located, label, source, file: parseComposeFile(source, label) };
}

/** commander argument parsers: a bad value is a usage error (exit 2) with commander's message. */
export function portArgument(raw: string): number {
  return asArgument(() => parsePort(raw));
}

export function durationArgument(raw: string): number {
  return asArgument(() => parseDuration(raw));
}

function asArgument<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}
