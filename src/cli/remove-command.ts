import type { Command } from 'commander';
import { removeBalancer } from '../compose/remove-balancer';
import { addFileOption, loadCompose, type ComposeCliDeps } from './compose-cli-deps';
import { finishRewrite } from './finish-rewrite';

export function registerRemoveCommand(program: Command, deps: ComposeCliDeps): void {
  const command = program
    .command('remove')
    .description('undo `compose-lb add`: take the balancer out and give the service its ports back')
    .argument('<service>', 'the balanced service (or its balancer)');
  addFileOption(command)
    .option('--dry-run', 'print the change as a unified diff and write nothing')
    .addHelpText(
      'after',
      `
Works from what "compose-lb add" recorded in the balancer (its x-compose-lb
key) and marked in the service (# [compose-lb: ...] comments). Right after
"add", it gives back the file byte for byte. A balancer in front of several
services only loses SERVICE; it goes with the last one, and compose-lb-discovery
and the network compose-lb go with the last balancer that reads from them. Stop
the containers of what went yourself ("docker compose up -d --remove-orphans"
does), or recreate the balancer ("docker compose up -d") when it stays.`,
    )
    .action((service: string, opts: { file?: string; dryRun?: boolean }) => {
      const loaded = loadCompose(opts.file, deps);
      finishRewrite(removeBalancer(loaded.file, service), loaded, opts, deps);
    });
}
