import { InvalidArgumentError, type Command } from 'commander';
import { parseDuration, parsePort } from '../config';
import { parseComposeFile, type ComposeFile } from '../compose/compose-file';
import { displayPath, locateComposeFile, readComposeSource, type LocatedFile } from '../compose/compose-file-io';
import { systemGidSources, type GidSources } from '../compose/docker-gid';
import { systemClock, type Clock } from '../runtime/clock';
import { parseProjectName } from '../runtime/compose-tool';
import { processInterrupts, type Interrupts } from '../runtime/interrupts';
import type { ProcessRunner } from '../runtime/process-runner';
import { systemLockHost, type LockHost } from '../runtime/rollout/rollout-lock';
import { spawnRunner } from '../runtime/spawn-runner';
import { parseStackName } from '../runtime/swarm-cli';
import { packageVersion } from './package-version';

/** What the compose commands touch outside themselves; tests pass fakes. */
export interface ComposeCliDeps {
  readonly cwd: () => string;
  readonly env: NodeJS.ProcessEnv;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** stdout is a terminal: `status --watch` redraws in place there. */
  readonly terminal: boolean;
  readonly runner: ProcessRunner;
  readonly clock: Clock;
  readonly gidSources: GidSources;
  readonly version: () => string;
  /** Ctrl-C, which `rollout` handles to leave a serving state. */
  readonly interrupts: Interrupts;
  /** Where `rollout` keeps its lock files. */
  readonly locks: LockHost;
}

export function defaultDeps(): ComposeCliDeps {
  return {
    cwd: () => process.cwd(),
    env: process.env,
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    terminal: process.stdout.isTTY === true,
    runner: spawnRunner,
    clock: systemClock,
    gidSources: systemGidSources,
    version: packageVersion,
    interrupts: processInterrupts,
    locks: systemLockHost,
  };
}

export function warn(deps: ComposeCliDeps, message: string): void {
  deps.stderr(`compose-lb: warning: ${message}\n`);
}

/** A progress line, on stderr so stdout holds only the result. */
export function say(deps: ComposeCliDeps, line: string): void {
  deps.stderr(`compose-lb: ${line}\n`);
}

/** The -f option every compose command takes. */
export function addFileOption(command: Command): Command {
  return command.option(
    '-f, --file <path>',
    'the compose file (default: compose.yaml, compose.yml, docker-compose.yml or docker-compose.yaml, here or in a parent directory; or COMPOSE_FILE)',
  );
}

/** The --stack option of scale and status: the stack's name, as `docker stack deploy` was given it. */
export function addStackOption(command: Command): Command {
  return command.option(
    '--stack <name>',
    'a Swarm stack (docker stack deploy -c FILE NAME) instead of a Compose project: ' +
      'docker service commands, and a balancer task on this node',
    (raw: string) => asArgument(() => parseStackName(raw)),
  );
}

/** The -p option of the commands that run Compose, as `docker compose -p`. */
export function addProjectOption(command: Command): Command {
  return command.option(
    '-p, --project-name <name>',
    'the Compose project name (default: COMPOSE_PROJECT_NAME, or what Compose derives from the file)',
    (raw: string) => asArgument(() => parseProjectName(raw)),
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
