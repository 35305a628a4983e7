import type { Command } from 'commander';
import { ComposeInputError } from '../compose/compose-errors';
import { requireService } from '../compose/compose-file';
import { balancers } from '../compose/find-balancer';
import { readReplicas, readServices } from '../runtime/balancer-admin';
import { replicasTable } from '../runtime/replicas-report';
import { ComposeRunError } from '../runtime/runtime-errors';
import { addTargetOptions, composeToolFor, runningContainer, type TargetOptions } from './balancer-target';
import { loadCompose, type ComposeCliDeps, type LoadedCompose } from './compose-cli-deps';
import { watchBalancers, type StatusTarget } from './status-watch';

export function registerStatusCommand(program: Command, deps: ComposeCliDeps): void {
  const command = program
    .command('status')
    .description("show each balanced service's route and replicas, as its balancer sees them")
    .argument('[service]', 'a balanced service, or a balancer (all it balances); default: every balancer in the file');
  addTargetOptions(command)
    .option('-w, --watch', "the status page's live view in the terminal, every second until Ctrl-C")
    .addHelpText(
      'after',
      `
Asks each balancer's admin endpoint (/services, or /replicas?service=SERVICE,
through docker exec) and prints one table per balanced service, titled with
the requests it gets there ("default route", "host api.localhost",
"path /api (stripped)"); replicas taken out by "compose-lb drain" show as
"drained". Exit 1 when a balancer is not running or does not answer.

With --watch, asks /status every second and shows what the status page does:
each replica's state, requests in flight, requests per second, errors and
p50/p99 latency over the last minute, and the last events. In a terminal it
redraws in place; otherwise it prints one frame after another. Ctrl-C ends it
(exit 0).`,
    )
    .action((service: string | undefined, opts: StatusOptions) => runStatus(service, opts, deps));
}

interface StatusOptions extends TargetOptions {
  readonly watch?: boolean;
}

async function runStatus(service: string | undefined, opts: StatusOptions, deps: ComposeCliDeps): Promise<void> {
  const loaded = loadCompose(opts.file, deps);
  const targets = chooseTargets(loaded, service);
  const tool = await composeToolFor(loaded, opts, deps);
  if (opts.watch) return watchBalancers(targets, tool, deps);
  const problems: string[] = [];
  const tables: string[] = [];
  for (const target of targets) {
    const { name } = target.balancer;
    try {
      const container = await runningContainer(deps, tool, name, `${name} is not running`);
      const docs =
        target.service === undefined
          ? (await readServices(deps.runner, container)).services
          : [await readReplicas(deps.runner, container, target.service)];
      tables.push(...docs.map((doc) => replicasTable(doc, name)));
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  deps.stdout(tables.join('\n'));
  if (problems.length > 0) throw new ComposeRunError(problems.join('; '));
}

function chooseTargets(loaded: LoadedCompose, service: string | undefined): StatusTarget[] {
  const all = balancers(loaded.file);
  if (service === undefined) {
    if (all.length > 0) return all.map((balancer) => ({ balancer, service: undefined }));
    throw new ComposeInputError(
      'no-balancer',
      `${loaded.label} has no balancer; add one with \`compose-lb add SERVICE\``,
    );
  }
  const named = all.find((b) => b.name === service);
  if (named) return [{ balancer: named, service: undefined }];
  const chosen = all.filter((b) => b.services.includes(service)).map((balancer) => ({ balancer, service }));
  if (chosen.length > 0) return chosen;
  requireService(loaded.file, service);
  throw new ComposeInputError(
    'no-balancer',
    `${service} has no balancer in ${loaded.label}; add one with \`compose-lb add ${service}\``,
  );
}
