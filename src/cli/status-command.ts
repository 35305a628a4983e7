import type { Command } from 'commander';
import { ComposeInputError } from '../compose/compose-errors';
import { requireService } from '../compose/compose-file';
import { balancers, type Balancer } from '../compose/find-balancer';
import { readReplicas } from '../runtime/balancer-admin';
import { replicasTable } from '../runtime/replicas-report';
import { ComposeRunError } from '../runtime/runtime-errors';
import { addTargetOptions, composeToolFor, runningContainer, type TargetOptions } from './balancer-target';
import { loadCompose, type ComposeCliDeps, type LoadedCompose } from './compose-cli-deps';

export function registerStatusCommand(program: Command, deps: ComposeCliDeps): void {
  const command = program
    .command('status')
    .description("show each balancer's replicas, as the balancer sees them")
    .argument('[service]', 'a balanced service (or its balancer); default: every balancer in the file');
  addTargetOptions(command)
    .addHelpText(
      'after',
      `
Asks each balancer's admin endpoint (/replicas, through docker exec) and prints
one table per balancer; replicas taken out by "compose-lb drain" show as
"drained". Exit 1 when a balancer is not running or does not answer.`,
    )
    .action((service: string | undefined, opts: TargetOptions) => runStatus(service, opts, deps));
}

async function runStatus(service: string | undefined, opts: TargetOptions, deps: ComposeCliDeps): Promise<void> {
  const loaded = loadCompose(opts.file, deps);
  const targets = chooseBalancers(loaded, service);
  const tool = await composeToolFor(loaded, opts, deps);
  const problems: string[] = [];
  const tables: string[] = [];
  for (const balancer of targets) {
    try {
      const container = await runningContainer(deps, tool, balancer.name, `${balancer.name} is not running`);
      tables.push(replicasTable(await readReplicas(deps.runner, container), balancer.name));
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  deps.stdout(tables.join('\n'));
  if (problems.length > 0) throw new ComposeRunError(problems.join('; '));
}

function chooseBalancers(loaded: LoadedCompose, service: string | undefined): Balancer[] {
  const all = balancers(loaded.file);
  if (service === undefined) {
    if (all.length > 0) return all;
    throw new ComposeInputError(
      'no-balancer',
      `${loaded.label} has no balancer; add one with \`compose-lb add SERVICE\``,
    );
  }
  const chosen = all.filter((b) => b.service === service || b.name === service);
  if (chosen.length > 0) return chosen;
  requireService(loaded.file, service);
  throw new ComposeInputError(
    'no-balancer',
    `${service} has no balancer in ${loaded.label}; add one with \`compose-lb add ${service}\``,
  );
}
