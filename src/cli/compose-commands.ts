import type { Command } from 'commander';
import { registerAddCommand } from './add-command';
import { defaultDeps, type ComposeCliDeps } from './compose-cli-deps';
import { registerRemoveCommand } from './remove-command';
import { registerScaleCommand } from './scale-command';
import { registerStatusCommand } from './status-command';

/** The Compose scaler: add, remove, scale and status. */
export function registerComposeCommands(program: Command, deps: ComposeCliDeps = defaultDeps()): void {
  registerAddCommand(program, deps);
  registerRemoveCommand(program, deps);
  registerScaleCommand(program, deps);
  registerStatusCommand(program, deps);
}
