import type { Command } from 'commander';
import type { ReplicasDocument } from '../admin/views';
import { ComposeInputError } from '../compose/compose-errors';
import { requireService } from '../compose/compose-file';
import { balancers } from '../compose/find-balancer';
import { readReplicas, readServices } from '../runtime/balancer-admin';
import { replicasTable } from '../runtime/replicas-report';
import { ComposeRunError } from '../runtime/runtime-errors';
import { serviceTasks, stackService } from '../runtime/swarm-cli';
import { stackTable } from '../runtime/tasks-report';
import {
  addTargetOptions,
  balancerLocator,
  locate,
  type BalancerLocator,
  type StackTargetOptions,
} from './balancer-target';
import { addStackOption, loadCompose, type ComposeCliDeps, type LoadedCompose } from './compose-cli-deps';
import { watchBalancers, type StatusTarget } from './status-watch';

export function registerStatusCommand(program: Command, deps: ComposeCliDeps): void {
  const command = program
    .command('status')
    .description("show each balanced service's route and replicas, as its balancer sees them")
    .argument('[service]', 'a balanced service, or a balancer (all it balances); default: every balancer in the file');
  addStackOption(addTargetOptions(command))
    .option('-w, --watch', "the status page's live view in the terminal, every second until Ctrl-C")
    .addHelpText(
      'after',
      `
Asks each balancer's admin endpoint (/services, or /replicas?service=SERVICE,
through docker exec) and prints one table per balanced service, titled with
the requests it gets there ("default route", "host api.localhost",
"path /api (stripped)"); replicas taken out by "compose-lb drain" show as
"drained". Exit 1 when a balancer is not running or does not answer.

With --stack NAME (the file deployed with "docker stack deploy -c FILE NAME"),
asks a task of the balancer running on this node, and shows each task of the
service on any node ("docker service ps NAME_SERVICE": its node, desired and
current state) beside what the balancer says of it. Run it on a manager that
runs a balancer task.

With --watch, asks /status every second and shows what the status page does:
each replica's state, requests in flight, requests per second, errors and
p50/p99 latency over the last minute, and the last events. In a terminal it
redraws in place; otherwise it prints one frame after another. Ctrl-C ends it
(exit 0).`,
    )
    .action((service: string | undefined, opts: StatusOptions) => runStatus(service, opts, deps));
}

interface StatusOptions extends StackTargetOptions {
  readonly watch?: boolean;
}

async function runStatus(service: string | undefined, opts: StatusOptions, deps: ComposeCliDeps): Promise<void> {
  const loaded = loadCompose(opts.file, deps);
  const targets = chooseTargets(loaded, service);
  const locator = await balancerLocator(loaded, opts, deps);
  if (opts.watch) return watchBalancers(targets, locator, deps);
  const problems: string[] = [];
  const failed = (err: unknown): undefined => {
    problems.push((err as Error).message);
    return undefined;
  };
  const tables: string[] = [];
  for (const target of targets) {
    const docs = await readDocs(target, locator, deps).catch(failed);
    if (opts.stack === undefined) tables.push(...(docs ?? []).map((doc) => replicasTable(doc, target.balancer.name)));
    else tables.push(...(await stackTables(target, docs, opts.stack, deps, failed)));
  }
  deps.stdout(tables.join('\n'));
  if (problems.length > 0) throw new ComposeRunError(problems.join('; '));
}

/**
 * For a stack: each service's tasks beside the balancer's report, the
 * services the file says the balancer has when it could not be asked.
 */
async function stackTables(
  target: StatusTarget,
  docs: readonly ReplicasDocument[] | undefined,
  stack: string,
  deps: ComposeCliDeps,
  failed: (err: unknown) => undefined,
): Promise<string[]> {
  const { balancer } = target;
  const services = docs?.map((d) => d.service) ?? (target.service === undefined ? balancer.services : [target.service]);
  const tables: string[] = [];
  for (const service of services) {
    const tasks = (await serviceTasks(deps.runner, stackService(stack, service)).catch(failed)) ?? [];
    const doc = docs?.find((d) => d.service === service);
    tables.push(stackTable({ balancer: balancer.name, stack, service, doc, tasks }));
  }
  return tables;
}

/** What the balancer reports of the target: every service it balances, or the one asked about. */
async function readDocs(
  target: StatusTarget,
  locator: BalancerLocator,
  deps: ComposeCliDeps,
): Promise<readonly ReplicasDocument[]> {
  const container = await locate(locator, target.balancer.name);
  if (target.service === undefined) return (await readServices(deps.runner, container)).services;
  return [await readReplicas(deps.runner, container, target.service)];
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
