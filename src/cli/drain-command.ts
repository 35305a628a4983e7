import type { Command } from 'commander';
import { ComposeInputError } from '../compose/compose-errors';
import { setDrained } from '../runtime/balancer-admin';
import { drainLine } from '../runtime/replicas-report';
import { addTargetOptions, runningBalancerOf, type TargetOptions } from './balancer-target';
import type { ComposeCliDeps } from './compose-cli-deps';

/** `drain` and `undrain`: the same request to the balancer, either way. */
export function registerDrainCommands(program: Command, deps: ComposeCliDeps): void {
  registerOne(program, deps, true).addHelpText(
    'after',
    `
Asks SERVICE's balancer (through docker exec) to send no new requests to each
REPLICA. Requests in flight finish; the container keeps running, and shows as
"drained" in compose-lb status until "compose-lb undrain". The balancer keeps
this in memory: restarting it puts every replica back.

Examples:
  compose-lb drain web 2                 # Compose container number 2
  compose-lb drain web demo-web-3 4f2a   # by name, by container ID prefix`,
  );
  registerOne(program, deps, false);
}

function registerOne(program: Command, deps: ComposeCliDeps, drain: boolean): Command {
  const command = program
    .command(drain ? 'drain' : 'undrain')
    .description(
      drain
        ? 'take replicas out of rotation: they finish their requests and get no new ones'
        : 'put replicas taken out by `compose-lb drain` back into rotation',
    )
    .argument('<service>', 'the balanced service')
    .argument('<replica...>', 'container name, Compose number or container ID (a prefix of 4 or more)');
  return addTargetOptions(command).action((service: string, refs: string[], opts: TargetOptions) =>
    runDrain(service, refs, drain, opts, deps),
  );
}

/**
 * One line per replica. A replica the balancer does not know, or a ref that
 * fits several, does not stop the others (as `docker stop a b` goes on past a);
 * they are reported together at the end, as an input error (exit 2).
 */
async function runDrain(
  service: string,
  refs: readonly string[],
  drain: boolean,
  opts: TargetOptions,
  deps: ComposeCliDeps,
): Promise<void> {
  const { container } = await runningBalancerOf(service, opts, deps);
  const refused: string[] = [];
  for (const ref of refs) {
    try {
      deps.stdout(`${drainLine(await setDrained(deps.runner, container, service, ref, drain), drain)}\n`);
    } catch (err) {
      if (!(err instanceof ComposeInputError)) throw err;
      refused.push(err.message);
    }
  }
  if (refused.length > 0) throw new ComposeInputError('replica-ref', refused.join('; '));
}
