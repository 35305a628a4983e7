import { Command, CommanderError } from 'commander';
import { LbError, UsageError } from '../errors';
import { InterruptedError } from '../runtime/runtime-errors';
import { registerComposeCommands } from './compose-commands';
import { registerDiscoverCommand } from './discover-command';
import { registerProbeCommand } from './probe-command';
import { registerServeCommand } from './serve-command';

declare const COMPOSE_LB_VERSION: string | undefined;

/** Exit codes: 0 ok, 1 runtime failure, 2 usage or input error, 130 stopped by Ctrl-C (as a shell reports SIGINT). */
export async function run(argv: readonly string[]): Promise<number> {
  const program = new Command('compose-lb')
    .description('A load balancer for scaled Docker Compose services')
    .version(typeof COMPOSE_LB_VERSION === 'string' ? COMPOSE_LB_VERSION : 'dev')
    .exitOverride()
    .showHelpAfterError('(add --help for usage)');
  registerServeCommand(program);
  registerDiscoverCommand(program);
  registerProbeCommand(program);
  registerComposeCommands(program);
  for (const command of program.commands) command.exitOverride();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    return exitCodeFor(err);
  }
}

export function exitCodeFor(err: unknown): number {
  if (err instanceof CommanderError) {
    // --help and --version end here with exitCode 0; anything else commander rejects is a usage error.
    return err.exitCode === 0 ? 0 : 2;
  }
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`compose-lb: ${message}\n`);
  if (err instanceof InterruptedError) return 130;
  if (err instanceof UsageError || (err instanceof LbError && err.code === 'ERR_CONFIG')) return 2;
  return 1;
}

if (require.main === module) {
  run(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`compose-lb: ${String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
