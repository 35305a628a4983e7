import { Command } from 'commander';
import { registerComposeCommands } from '../../../src/cli/compose-commands';
import type { ComposeCliDeps } from '../../../src/cli/compose-cli-deps';
import type { Clock } from '../../../src/compose/clock';
import { FakeRunner, type Script } from './fake-runner';

/**
 * Runs the compose commands as main does, with a fake Docker (`script`), a clock
 * that moves only when slept on, and socket group 999. Errors are returned, not
 * thrown: main turns UsageError into exit 2 and other errors into exit 1.
 */
export interface CliRun {
  stdout: string;
  stderr: string;
  runner: FakeRunner;
  error: unknown;
}

export async function runCommands(cwd: string, argv: string[], script: Script): Promise<CliRun> {
  const run: CliRun = { stdout: '', stderr: '', runner: new FakeRunner(script), error: undefined };
  let time = 0;
  const clock: Clock = { now: () => time, sleep: async (ms) => void (time += ms) };
  const deps: ComposeCliDeps = {
    cwd: () => cwd,
    env: {},
    stdout: (text) => (run.stdout += text),
    stderr: (text) => (run.stderr += text),
    runner: run.runner,
    clock,
    gidSources: { env: {}, platform: 'linux', socketGid: () => 999 },
    version: () => '0.1.0',
  };
  const program = new Command('compose-lb').exitOverride();
  registerComposeCommands(program, deps);
  for (const command of program.commands) command.exitOverride();
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    run.error = err;
  }
  return run;
}
