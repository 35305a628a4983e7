import type { Command } from 'commander';
import { ComposeInputError } from '../compose/compose-errors';
import { requireService } from '../compose/compose-file';
import { balancerOf, type Balancer } from '../compose/find-balancer';
import { COMPOSE_CHOICE_ENV, containerIds, detectCompose, type ComposeTool } from '../runtime/compose-tool';
import { ComposeRunError } from '../runtime/runtime-errors';
import { stackService, taskContainersHere } from '../runtime/swarm-cli';
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

/** scale and status work on a Swarm stack too. */
export interface StackTargetOptions extends TargetOptions {
  readonly stack?: string;
}

/**
 * Finds a running container of a balancer, to ask it through docker exec:
 * Compose's, or (--stack) a task of the stack's balancer service on this node.
 */
export interface BalancerLocator {
  find(balancer: string): Promise<string | undefined>;
  /** Why none was found, and where to look. */
  missing(balancer: string): string;
}

export async function balancerLocator(
  loaded: LoadedCompose,
  opts: StackTargetOptions,
  deps: ComposeCliDeps,
): Promise<BalancerLocator> {
  const { stack } = opts;
  if (stack === undefined) {
    const tool = await composeToolFor(loaded, opts, deps);
    return {
      find: async (balancer) => (await containerIds(deps.runner, tool, balancer))[0],
      missing: (balancer) => `${balancer} is not running`,
    };
  }
  if (opts.projectName !== undefined) {
    throw new ComposeInputError('arguments', '-p names a Compose project and --stack a Swarm stack: give one of them');
  }
  return {
    find: async (balancer) => (await taskContainersHere(deps.runner, stackService(stack, balancer)))[0],
    missing: (balancer) => {
      const name = stackService(stack, balancer);
      return `no task of ${name} runs on this node to ask; see its view where one runs (docker service ps ${name})`;
    },
  };
}

/** A running container of the balancer; a runtime failure (exit 1) saying why when there is none. */
export async function locate(locator: BalancerLocator, balancer: string): Promise<string> {
  const container = await locator.find(balancer);
  if (container === undefined) throw new ComposeRunError(locator.missing(balancer));
  return container;
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
