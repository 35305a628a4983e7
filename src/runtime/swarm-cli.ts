import { ComposeInputError } from '../compose/compose-errors';
import { docker, nonEmptyLines } from './docker-cli';
import type { ProcessRunner } from './process-runner';
import { ComposeRunError } from './runtime-errors';
import { parseTaskRows, type TaskRow } from './tasks-report';

/**
 * `docker stack deploy -c FILE NAME` names each service NAME_SERVICE
 * (docker/cli cli/compose/convert/compose.go, Namespace.Scope), and the swarm
 * takes a service name only as letters and digits joined by `-` and `_`
 * (swarmkit manager/controlapi/common.go, isValidDNSName): so the stack's
 * name must be one too. Checked here, a typo is a usage error (exit 2) before
 * anything runs.
 */
const STACK_NAME = /^[a-zA-Z0-9](?:[-_]*[A-Za-z0-9]+)*$/;

export function parseStackName(raw: string): string {
  if (!STACK_NAME.test(raw)) {
    throw new ComposeInputError(
      'arguments',
      `"${raw}" is not a stack name (letters and digits, joined by "-" or "_"; as given to docker stack deploy)`,
    );
  }
  return raw;
}

/** The swarm's name for a service of the compose file deployed as `stack`. */
export function stackService(stack: string, service: string): string {
  return `${stack}_${service}`;
}

/** The label the swarm puts on each task's container, naming its service. */
const SERVICE_LABEL = 'com.docker.swarm.service.name';

/**
 * Runs `docker service scale NAME=N` on the user's terminal, where it shows
 * the tasks converging; fails unless it exits 0.
 */
export async function scaleService(runner: ProcessRunner, name: string, replicas: number): Promise<void> {
  const args = ['service', 'scale', `${name}=${replicas}`];
  const code = await runner.passThrough('docker', args);
  if (code !== 0) throw new ComposeRunError(`\`docker ${args.join(' ')}\` failed (exit code ${code})`);
}

/** The service's task containers running on this node: `docker ps` sees no other node's. */
export async function taskContainersHere(runner: ProcessRunner, name: string): Promise<string[]> {
  return nonEmptyLines(await docker(runner, ['ps', '-q', '--filter', `label=${SERVICE_LABEL}=${name}`]));
}

/** The service's tasks, on every node, as `docker service ps` (on a manager) lists them. */
export async function serviceTasks(runner: ProcessRunner, name: string): Promise<TaskRow[]> {
  return parseTaskRows(await docker(runner, ['service', 'ps', name, '--format', '{{json .}}']));
}
