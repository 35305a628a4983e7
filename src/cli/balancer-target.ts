import type { Command } from 'commander';
import { ComposeInputError } from '../compose/compose-errors';
import { requireService } from '../compose/compose-file';
import { balancerOf, type Balancer } from '../compose/find-balancer';
import { COMPOSE_CHOICE_ENV, containerIds, detectCompose, type ComposeTool } from '../runtime/compose-tool';
import { ComposeRunError } from '../runtime/runtime-errors';
import {
  addFileOption,
  addProjectOption,
  loadCompose,
  type ComposeCliDeps,
  type LoadedCompose,
} from './compose-cli-deps';

/** -f and -p: which project the commands that run Compose work on. */
export interface TargetOptions {
  readonly file?: string;
  readonly projectName?: string;
}

export function addTargetOptions(command: Command): Command {
  return addProjectOption(addFileOption(command));
}

/** Compose as the user would run it here, with their -f and -p. */
export function composeToolFor(loaded: LoadedCompose, opts: TargetOptions, deps: ComposeCliDeps): Promise<ComposeTool> {
  return detectCompose(
    deps.runner,
    { file: opts.file === undefined ? undefined : loaded.located.path, projectName: opts.projectName },
    deps.env[COMPOSE_CHOICE_ENV],
  );
}

/** SERVICE's balancer in the file; an input error (exit 2) when SERVICE is not there or has none. */
export function requireBalancer(loaded: LoadedCompose, service: string): Balancer {
  requireService(loaded.file, service);
  const balancer = balancerOf(loaded.file, service);
  if (balancer) return balancer;
  throw new ComposeInputError(
    'no-balancer',
    `${service} has no balancer in ${loaded.label}; run \`compose-lb add ${service}\` first`,
  );
}

/** The ID of a service's running container; a runtime failure (exit 1) saying `missing` when none runs. */
export async function runningContainer(
  deps: ComposeCliDeps,
  tool: ComposeTool,
  service: string,
  missing: string,
): Promise<string> {
  const [container] = await containerIds(deps.runner, tool, service);
  if (container === undefined) throw new ComposeRunError(missing);
  return container;
}

export interface RunningBalancer {
  readonly tool: ComposeTool;
  readonly balancer: Balancer;
  readonly container: string;
}

/** For drain, undrain and rollout: SERVICE's balancer in the compose file, and its running container. */
export async function runningBalancerOf(
  service: string,
  opts: TargetOptions,
  deps: ComposeCliDeps,
): Promise<RunningBalancer> {
  const loaded = loadCompose(opts.file, deps);
  const balancer = requireBalancer(loaded, service);
  const tool = await composeToolFor(loaded, opts, deps);
  const container = await runningContainer(deps, tool, balancer.name, `${balancer.name} is not running`);
  return { tool, balancer, container };
}
