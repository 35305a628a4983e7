import { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { registerComposeCommands } from '../../../src/cli/compose-commands';
import type { ComposeCliDeps } from '../../../src/cli/compose-cli-deps';
import { FakeClock } from './fake-clock';
import { FakeInterrupts } from './fake-interrupts';
import { FakeRunner, type Script } from './fake-runner';
import { fixture } from './fixtures';

/**
 * Runs the compose commands as main does, with a fake Docker (`script`), a clock
 * that moves only when slept on, socket group 999, Ctrl-C on demand and lock
 * files in `cwd` held by PID 4242. Errors are returned, not thrown: main turns
 * UsageError into exit 2, InterruptedError into 130 and other errors into 1.
 */
export interface CliRun {
  stdout: string;
  stderr: string;
  runner: FakeRunner;
  clock: FakeClock;
  error: unknown;
}

export const HARNESS_PID = 4242;

export async function runCommands(
  cwd: string,
  argv: string[],
  script: Script,
  over: Partial<ComposeCliDeps> = {},
): Promise<CliRun> {
  const run: CliRun = {
    stdout: '',
    stderr: '',
    runner: new FakeRunner(script),
    clock: new FakeClock(),
    error: undefined,
  };
  const deps: ComposeCliDeps = {
    cwd: () => cwd,
    env: {},
    stdout: (text) => (run.stdout += text),
    stderr: (text) => (run.stderr += text),
    terminal: false,
    runner: run.runner,
    clock: run.clock,
    gidSources: { env: {}, platform: 'linux', socketGid: () => 999 },
    version: () => '0.1.0',
    interrupts: new FakeInterrupts(),
    locks: { dir: cwd, pid: HARNESS_PID, isAlive: (pid) => pid === HARNESS_PID },
    ...over,
  };
  const program = new Command('compose-lb')
    .exitOverride()
    .configureOutput({ writeOut: (text) => (run.stdout += text), writeErr: (text) => (run.stderr += text) });
  registerComposeCommands(program, deps);
  for (const command of program.commands) command.exitOverride();
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    run.error = err;
  }
  return run;
}

/** Writes a compose file with web behind web-lb, found by the default name; returns its path. */
export function writeBalancedProject(dir: string): string {
  const path = join(dir, 'compose.yaml');
  writeFileSync(path, fixture('v38-build-and-image').expectedAdd ?? '');
  return path;
}
