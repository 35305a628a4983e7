import { ComposeRunError } from './compose-errors';
import type { ProcessRunner } from './process-runner';

/** How to run Compose here: `docker compose` (v2) or `docker-compose` (v1), and the file arguments. */
export interface ComposeTool {
  readonly program: string;
  /** Arguments before the Compose command: `compose` for v2, then `-f FILE` when the user named a file. */
  readonly prefix: readonly string[];
}

/** `COMPOSE_LB_COMPOSE` picks one flavour where both are installed. */
export const COMPOSE_CHOICE_ENV = 'COMPOSE_LB_COMPOSE';

/**
 * Prefers the Compose v2 plugin, as Docker's docs do, then the v1 binary, unless
 * `choice` (`docker compose` or `docker-compose`) names one. Without -f, Compose
 * finds the file (and its override file) itself, as the user would.
 */
export async function detectCompose(
  runner: ProcessRunner,
  file: string | undefined,
  choice: string | undefined = undefined,
): Promise<ComposeTool> {
  const files = file === undefined ? [] : ['-f', file];
  const v2: ComposeTool = { program: 'docker', prefix: ['compose', ...files] };
  const v1: ComposeTool = { program: 'docker-compose', prefix: files };
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

/** Scales the service, starting what is not running; never recreates running containers. */
export async function scaleUp(
  runner: ProcessRunner,
  tool: ComposeTool,
  service: string,
  replicas: number,
): Promise<void> {
  const args = ['up', '-d', '--no-recreate', '--scale', `${service}=${replicas}`];
  const code = await runner.passThrough(tool.program, [...tool.prefix, ...args]);
  if (code !== 0) throw new ComposeRunError(`\`${commandLine(tool, args)}\` failed (exit code ${code})`);
}

/** Ids of the service's running containers; Compose resolves the project name. */
export async function containerIds(runner: ProcessRunner, tool: ComposeTool, service: string): Promise<string[]> {
  const args = ['ps', '-q', service];
  const result = await runner.capture(tool.program, [...tool.prefix, ...args]);
  if (result.code !== 0) {
    throw new ComposeRunError(
      `\`${commandLine(tool, args)}\` failed: ${result.stderr.trim() || `exit code ${result.code}`}`,
    );
  }
  return result.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
}
