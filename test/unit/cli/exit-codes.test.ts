import { CommanderError } from 'commander';
import { exitCodeFor } from '../../../src/cli/main';
import { ComposeInputError } from '../../../src/compose/compose-errors';
import { ComposeRunError, InterruptedError, RolloutTimeoutError } from '../../../src/runtime/runtime-errors';

describe('exit codes', () => {
  let stderr: jest.SpyInstance;
  beforeEach(() => {
    stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterEach(() => stderr.mockRestore());

  it.each([
    ['--help', 0, new CommanderError(0, 'commander.helpDisplayed', '(outputHelp)')],
    ['a failed docker command', 1, new ComposeRunError('docker failed')],
    ['a rollout timeout', 1, new RolloutTimeoutError('not ready')],
    ['a bad option', 2, new CommanderError(1, 'commander.invalidArgument', 'bad -p')],
    ['a refusal', 2, new ComposeInputError('rollout-running', 'busy')],
    ['Ctrl-C', 130, new InterruptedError('interrupted')],
  ])('%s -> %i', (_what, code, err) => {
    expect(exitCodeFor(err)).toBe(code);
  });

  it('says what failed on stderr', () => {
    exitCodeFor(new InterruptedError('interrupted before the new replicas were ready'));
    expect(stderr).toHaveBeenCalledWith('compose-lb: interrupted before the new replicas were ready\n');
  });
});
