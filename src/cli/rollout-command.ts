import { Option, type Command } from 'commander';
import { ComposeInputError } from '../compose/compose-errors';
import { POLL_MS, readReplicas } from '../runtime/balancer-admin';
import { containerIds } from '../runtime/compose-tool';
import { rollout } from '../runtime/rollout/rollout';
import { takeRolloutLock } from '../runtime/rollout/rollout-lock';
import { addTargetOptions, runningBalancerOf, type TargetOptions } from './balancer-target';
import { durationArgument, say, type ComposeCliDeps } from './compose-cli-deps';

interface RolloutOptions extends TargetOptions {
  readonly timeout: number;
}

export function registerRolloutCommand(program: Command, deps: ComposeCliDeps): void {
  const command = program
    .command('rollout')
    .description("replace a balanced service's replicas with what the compose file now says, without downtime")
    .argument('<service>', 'the balanced service');
  addTargetOptions(command)
    .addOption(
      new Option(
        '--timeout <duration>',
        'how long the new replicas may take to be ready once started; the old ones get what is left to finish their requests',
      )
        .argParser(durationArgument)
        .default(120_000, '2m'),
    )
    .addHelpText(
      'after',
      `
For a new image tag or new environment in the file. Starts as many new
replicas as run now, beside the old ones ("up -d --no-recreate --scale
SERVICE=2N SERVICE"), waits until the balancer reports them ready (healthy,
when the service has a healthcheck), drains the old ones, then stops and
removes them. Exit 1 when the new ones are not ready in time: they are
removed and the old ones go on serving. Ctrl-C leaves one set serving (the
old one before the new one is ready, else the new one) and exits 130. One
rollout per service at a time; none for a service with no running replica.`,
    )
    .action((service: string, opts: RolloutOptions) => runRollout(service, opts, deps));
}

async function runRollout(service: string, opts: RolloutOptions, deps: ComposeCliDeps): Promise<void> {
  const target = await runningBalancerOf(service, opts, deps);
  const before = await readReplicas(deps.runner, target.container, service);
  // The balancer knows its Compose project for sure, whether it came from -p, the environment or the file.
  const release = takeRolloutLock(deps.locks, before.project, service);
  const interrupt = new AbortController();
  const stopListening = deps.interrupts.onInterrupt(() => {
    if (!interrupt.signal.aborted) say(deps, 'Ctrl-C: leaving a serving state, this takes a moment');
    interrupt.abort();
  });
  try {
    const old = await containerIds(deps.runner, target.tool, service);
    if (old.length === 0) {
      throw new ComposeInputError(
        'nothing-running',
        `no ${service} replica is running: nothing to roll out; use compose-lb scale ${service}=N`,
      );
    }
    const { serving } = await rollout({
      runner: deps.runner,
      tool: target.tool,
      clock: deps.clock,
      service,
      balancer: target.container,
      before,
      old,
      timeoutMs: opts.timeout,
      pollMs: POLL_MS,
      signal: interrupt.signal,
      say: (line) => say(deps, line),
    });
    deps.stdout(`${service}: ${old.length} replicas replaced; serving now: ${serving.join(', ')}\n`);
  } finally {
    stopListening();
    release();
  }
}
