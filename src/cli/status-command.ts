import type { Command } from 'commander';
import { ComposeInputError, ComposeRunError } from '../compose/compose-errors';
import { requireService } from '../compose/compose-file';
import { COMPOSE_CHOICE_ENV, containerIds, detectCompose } from '../compose/compose-tool';
import { probeReplicas } from '../compose/docker-cli';
import { balancers, type Balancer } from '../compose/find-balancer';
import { parseReplicasDocument, replicasTable } from '../compose/replicas-report';
import { addFileOption, loadCompose, type ComposeCliDeps, type LoadedCompose } from './compose-cli-deps';

export function registerStatusCommand(program: Command, deps: ComposeCliDeps): void {
  const command = program
    .command('status')
    .description("show each balancer's replicas, as the balancer sees them")
    .argument('[service]', 'a balanced service (or its balancer); default: every balancer in the file');
  addFileOption(command)
    .addHelpText(
      'after',
      `
Asks each balancer's admin endpoint (/replicas, through docker exec) and prints
one table per balancer. Exit 1 when a balancer is not running or does not answer.`,
    )
    .action((service: string | undefined, opts: { file?: string }) => runStatus(service, opts, deps));
}

async function runStatus(service: string | undefined, opts: { file?: string }, deps: ComposeCliDeps): Promise<void> {
  const loaded = loadCompose(opts.file, deps);
  const targets = chooseBalancers(loaded, service);
  const tool = await detectCompose(
    deps.runner,
    opts.file === undefined ? undefined : loaded.located.path,
    process.env[COMPOSE_CHOICE_ENV],
  );
  const problems: string[] = [];
  const tables: string[] = [];
  for (const balancer of targets) {
    try {
      const [container] = await containerIds(deps.runner, tool, balancer.name);
      if (container === undefined) throw new Error(`${balancer.name} is not running`);
      tables.push(replicasTable(parseReplicasDocument(await probeReplicas(deps.runner, container)), balancer.name));
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
