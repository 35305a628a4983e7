import { Option, type Command } from 'commander';
import { ComposeInputError, ComposeRunError } from '../compose/compose-errors';
import { requireService } from '../compose/compose-file';
import { COMPOSE_CHOICE_ENV, commandLine, containerIds, detectCompose, scaleUp } from '../compose/compose-tool';
import { probeReplicas } from '../compose/docker-cli';
import { balancerOf } from '../compose/find-balancer';
import { parseReplicasDocument } from '../compose/replicas-report';
import { waitForReplicas } from '../compose/wait-for-replicas';
import { addFileOption, durationArgument, loadCompose, type ComposeCliDeps } from './compose-cli-deps';

/** How often to ask the balancer while waiting: a docker exec costs ~100 ms. */
const POLL_MS = 500;

interface ScaleOptions {
  readonly file?: string;
  readonly timeout: number;
}

export function registerScaleCommand(program: Command, deps: ComposeCliDeps): void {
  const command = program
    .command('scale')
    .description('scale a balanced service and wait until its balancer reports the replicas ready')
    .argument('<service=replicas>', 'e.g. web=3');
  addFileOption(command)
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
  requireService(loaded.file, service);
  const balancer = balancerOf(loaded.file, service);
  if (!balancer) {
    throw new ComposeInputError(
      'no-balancer',
      `${service} has no balancer in ${loaded.label}; run \`compose-lb add ${service}\` first`,
    );
  }
  const tool = await detectCompose(
    deps.runner,
    opts.file === undefined ? undefined : loaded.located.path,
    process.env[COMPOSE_CHOICE_ENV],
  );
  deps.stderr(
    `compose-lb: running ${commandLine(tool, ['up', '-d', '--no-recreate', '--scale', `${service}=${replicas}`])}\n`,
  );
  await scaleUp(deps.runner, tool, service, replicas);
  const [container] = await containerIds(deps.runner, tool, balancer.name);
  if (container === undefined) throw new ComposeRunError(`${balancer.name} is not running after \`up\`; see its logs`);
  const doc = await waitForReplicas({
    service,
    want: replicas,
    timeoutMs: opts.timeout,
    pollMs: POLL_MS,
    clock: deps.clock,
    read: async () => parseReplicasDocument(await probeReplicas(deps.runner, container)),
    progress: (line) => deps.stderr(`compose-lb: ${line}\n`),
  });
  deps.stdout(`${service}: ${doc.ready} of ${replicas} replicas ready behind ${balancer.name}\n`);
}
