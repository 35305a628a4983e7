import { Option, type Command } from 'commander';
import type { ReplicasDocument } from '../admin/views';
import { ComposeInputError } from '../compose/compose-errors';
import type { Balancer } from '../compose/find-balancer';
import { POLL_MS, readReplicas } from '../runtime/balancer-admin';
import { commandLine, runCompose, scaleUpArgs } from '../runtime/compose-tool';
import { scaleService, stackService } from '../runtime/swarm-cli';
import { waitForReplicas } from '../runtime/wait-for-replicas';
import {
  addTargetOptions,
  balancerLocator,
  composeToolFor,
  requireBalancer,
  runningContainer,
  type StackTargetOptions,
} from './balancer-target';
import {
  addStackOption,
  durationArgument,
  loadCompose,
  say,
  type ComposeCliDeps,
  type LoadedCompose,
} from './compose-cli-deps';

interface ScaleOptions extends StackTargetOptions {
  readonly timeout: number;
}

export function registerScaleCommand(program: Command, deps: ComposeCliDeps): void {
  const command = program
    .command('scale')
    .description('scale a balanced service and wait until its balancer reports the replicas ready')
    .argument('<service=replicas>', 'e.g. web=3');
  addStackOption(addTargetOptions(command))
    .addOption(
      new Option('--timeout <duration>', 'how long to wait for the replicas to be ready (e.g. 90s, 2m)')
        .argParser(durationArgument)
        .default(60_000, '60s'),
    )
    .addHelpText(
      'after',
      `
Runs "docker compose up -d --no-recreate --scale SERVICE=N" (or docker-compose
where the plugin is missing), then asks the balancer until N replicas are ready:
exit 0 when they are, 1 on timeout (with what the balancer saw).

With --stack NAME (the file deployed with "docker stack deploy -c FILE NAME"),
runs "docker service scale NAME_SERVICE=N" instead (on a manager; it waits for
the tasks to run), then asks a task of the balancer running on this node; with
none here (balancers on other nodes), the swarm's word is all it reports. The
next "docker stack deploy" sets the count in the file (deploy.replicas) again.`,
    )
    .action((target: string, opts: ScaleOptions) => runScale(target, opts, deps));
}

/** `web=3` -> { service: 'web', replicas: 3 }. */
export function parseScaleTarget(raw: string): { service: string; replicas: number } {
  const match = /^([^=\s]+)=(\d+)$/.exec(raw);
  if (!match?.[1] || match[2] === undefined || Number(match[2]) > 1000) {
    throw new ComposeInputError('arguments', `"${raw}" is not SERVICE=REPLICAS (e.g. web=3, at most 1000)`);
  }
  return { service: match[1], replicas: Number(match[2]) };
}

async function runScale(target: string, opts: ScaleOptions, deps: ComposeCliDeps): Promise<void> {
  const { service, replicas } = parseScaleTarget(target);
  const loaded = loadCompose(opts.file, deps);
  const balancer = requireBalancer(loaded, service);
  if (opts.stack !== undefined) return scaleStack({ service, replicas, balancer }, opts.stack, loaded, opts, deps);
  const tool = await composeToolFor(loaded, opts, deps);
  const args = scaleUpArgs(service, replicas);
  say(deps, `running ${commandLine(tool, args)}`);
  await runCompose(deps.runner, tool, args);
  const container = await runningContainer(
    deps,
    tool,
    balancer.name,
    `${balancer.name} is not running after \`up\`; see its logs`,
  );
  const doc = await waitBehind(container, service, replicas, opts, deps);
  deps.stdout(`${service}: ${doc.ready} of ${replicas} replicas ready behind ${balancer.name}\n`);
}

interface Scaling {
  readonly service: string;
  readonly replicas: number;
  readonly balancer: Balancer;
}

/**
 * `docker service scale` waits for the swarm to converge. The balancer is then asked through one
 * of its tasks on this node; when all run on other nodes (balancers on workers), there is none to
 * ask from here, and the swarm's word is all this can report.
 */
async function scaleStack(
  { service, replicas, balancer }: Scaling,
  stack: string,
  loaded: LoadedCompose,
  opts: ScaleOptions,
  deps: ComposeCliDeps,
): Promise<void> {
  const locator = await balancerLocator(loaded, opts, deps);
  const name = stackService(stack, service);
  say(deps, `running docker service scale ${name}=${replicas}`);
  await scaleService(deps.runner, name, replicas);
  const container = await locator.find(balancer.name);
  if (container === undefined) {
    deps.stdout(`${service}: ${replicas} tasks running (stack ${stack}); ${locator.missing(balancer.name)}\n`);
    return;
  }
  const doc = await waitBehind(container, service, replicas, opts, deps);
  deps.stdout(`${service}: ${doc.ready} of ${replicas} replicas ready behind ${balancer.name} (stack ${stack})\n`);
}

/** Asks the balancer in `container` until it reports `replicas` ready replicas of `service`. */
function waitBehind(
  container: string,
  service: string,
  replicas: number,
  opts: ScaleOptions,
  deps: ComposeCliDeps,
): Promise<ReplicasDocument> {
  return waitForReplicas({
    service,
    want: replicas,
    timeoutMs: opts.timeout,
    pollMs: POLL_MS,
    clock: deps.clock,
    read: () => readReplicas(deps.runner, container, service),
    progress: (line) => say(deps, line),
  });
}
