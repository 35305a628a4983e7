import { Option, type Command } from 'commander';
import { ComposeInputError } from '../compose/compose-errors';
import { POLL_MS, readReplicas } from '../runtime/balancer-admin';
import { commandLine, runCompose, scaleUpArgs } from '../runtime/compose-tool';
import { waitForReplicas } from '../runtime/wait-for-replicas';
import {
  addTargetOptions,
  composeToolFor,
  requireBalancer,
  runningContainer,
  type TargetOptions,
} from './balancer-target';
import { durationArgument, loadCompose, say, type ComposeCliDeps } from './compose-cli-deps';

interface ScaleOptions extends TargetOptions {
  readonly timeout: number;
}

export function registerScaleCommand(program: Command, deps: ComposeCliDeps): void {
  const command = program
    .command('scale')
    .description('scale a balanced service and wait until its balancer reports the replicas ready')
    .argument('<service=replicas>', 'e.g. web=3');
  addTargetOptions(command)
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
exit 0 when they are, 1 on timeout (with what the balancer saw).`,
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
  const tool = await composeToolFor(loaded, opts, deps);
  const args = scaleUpArgs(service, replicas);
  deps.stderr(`compose-lb: running ${commandLine(tool, args)}\n`);
  await runCompose(deps.runner, tool, args);
  const container = await runningContainer(
    deps,
    tool,
    balancer.name,
    `${balancer.name} is not running after \`up\`; see its logs`,
  );
  const doc = await waitForReplicas({
    service,
    want: replicas,
    timeoutMs: opts.timeout,
    pollMs: POLL_MS,
    clock: deps.clock,
    read: () => readReplicas(deps.runner, container, service),
    progress: (line) => say(deps, line),
  });
  deps.stdout(`${service}: ${doc.ready} of ${replicas} replicas ready behind ${balancer.name}\n`);
}
