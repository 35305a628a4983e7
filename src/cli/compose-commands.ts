import type { Command } from 'commander';
import { registerAddCommand } from './add-command';
import { defaultDeps, type ComposeCliDeps } from './compose-cli-deps';
import { registerDrainCommands } from './drain-command';
import { registerRemoveCommand } from './remove-command';
import { registerRolloutCommand } from './rollout-command';
import { registerScaleCommand } from './scale-command';
import { registerStatusCommand } from './status-command';

/** The Compose commands: add, remove, scale, status, drain, undrain and rollout. */
export function registerComposeCommands(program: Command, deps: ComposeCliDeps = defaultDeps()): void {
  registerAddCommand(program, deps);
  registerRemoveCommand(program, deps);
  registerScaleCommand(program, deps);
  registerStatusCommand(program, deps);
  registerDrainCommands(program, deps);
  registerRolloutCommand(program, deps);
}
