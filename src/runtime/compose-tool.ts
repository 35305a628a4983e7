import { ComposeInputError } from '../compose/compose-errors';
import { nonEmptyLines } from './docker-cli';
import { whyFailed, type ProcessRunner } from './process-runner';
import { ComposeRunError } from './runtime-errors';

/** How to run Compose here: `docker compose` (v2) or `docker-compose` (v1), and the file and project arguments. */
export interface ComposeTool {
  readonly program: string;
  /** Arguments before the Compose command: `compose` for v2, then `-f FILE` and `-p NAME` when the user gave them. */
  readonly prefix: readonly string[];
}

/** What the user named on the command line; Compose finds the rest as it always does. */
export interface ComposeTarget {
  readonly file?: string | undefined;
  readonly projectName?: string | undefined;
}

/** `COMPOSE_LB_COMPOSE` picks one flavour where both are installed. */
export const COMPOSE_CHOICE_ENV = 'COMPOSE_LB_COMPOSE';

/**
 * Prefers the Compose v2 plugin, as Docker's docs do, then the v1 binary, unless
 * `choice` (`docker compose` or `docker-compose`) names one. Without -f, Compose
 * finds the file (and its override file) itself, as the user would; without -p,
 * it takes the project name from COMPOSE_PROJECT_NAME (inherited) or the file.
 */
export async function detectCompose(
  runner: ProcessRunner,
  target: ComposeTarget,
  choice: string | undefined = undefined,
): Promise<ComposeTool> {
  const options = [
    ...(target.file === undefined ? [] : ['-f', target.file]),
    ...(target.projectName === undefined ? [] : ['-p', target.projectName]),
  ];
  const v2: ComposeTool = { program: 'docker', prefix: ['compose', ...options] };
  const v1: ComposeTool = { program: 'docker-compose', prefix: options };
  if (choice !== undefined && choice !== '') {
    if (choice === 'docker compose') return v2;
    if (choice === 'docker-compose') return v1;
    throw new ComposeRunError(`${COMPOSE_CHOICE_ENV} must be "docker compose" or "docker-compose", not "${choice}"`);
  }
  if ((await runner.capture('docker', ['compose', 'version'])).code === 0) return v2;
  if ((await runner.capture('docker-compose', ['version'])).code === 0) return v1;
  throw new ComposeRunError('neither `docker compose` nor `docker-compose` runs here; install Docker Compose');
}

export function commandLine(tool: ComposeTool, args: readonly string[]): string {
  return [tool.program, ...tool.prefix, ...args].join(' ');
}

/**
 * `up` that scales the service to `replicas`, starting what is not running and
 * never recreating a running container (so new ones get the file's current
 * settings and old ones keep theirs). With `onlyService`, nothing else in the
 * project is touched (its dependencies aside, which Compose starts if stopped).
 */
export function scaleUpArgs(service: string, replicas: number, onlyService = false): string[] {
  return ['up', '-d', '--no-recreate', '--scale', `${service}=${replicas}`, ...(onlyService ? [service] : [])];
}

/** Runs a Compose command on the user's terminal; fails unless it exits 0. */
export async function runCompose(runner: ProcessRunner, tool: ComposeTool, args: readonly string[]): Promise<void> {
  const code = await runner.passThrough(tool.program, [...tool.prefix, ...args]);
  if (code !== 0) throw new ComposeRunError(`\`${commandLine(tool, args)}\` failed (exit code ${code})`);
}

/** Ids of the service's running containers; Compose resolves the project name. */
export async function containerIds(runner: ProcessRunner, tool: ComposeTool, service: string): Promise<string[]> {
  const args = ['ps', '-q', service];
  const result = await runner.capture(tool.program, [...tool.prefix, ...args]);
  if (result.code !== 0) {
    throw new ComposeRunError(
      `\`${commandLine(tool, args)}\` failed: ${whyFailed(result)}`,
    );
  }
  return nonEmptyLines(result.stdout);
}

/**
 * A project name as `docker compose -p` accepts it: lowercase letters, digits,
 * dashes and underscores, starting with a letter or digit (compose-spec
 * 04-version-and-name.md). Checked here so a typo is a usage error (exit 2)
 * before anything runs.
 */
export function parseProjectName(raw: string): string {
  if (!/^[a-z0-9][a-z0-9_-]*$/.test(raw)) {
    throw new ComposeInputError(
      'project-name',
      `"${raw}" is not a Compose project name (lowercase letters, digits, "-" and "_", starting with a letter or digit)`,
    );
  }
  return raw;
}
