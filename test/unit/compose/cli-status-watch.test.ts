import type { StatusDocument } from '../../../src/admin/status-document';
import { ComposeInputError } from '../../../src/compose/compose-errors';
import { statusFrame } from '../../../src/runtime/live-status';
import { CLEAR_SCREEN, WATCH_MS } from '../../../src/runtime/watch-status';
import { runCommands, writeBalancedProject, type CliRun } from './cli-harness';
import { FakeInterrupts } from './fake-interrupts';
import type { Script } from './fake-runner';
import { LB, PROBE, probeAnswer } from './fake-stack';
import { replicaStatus, serviceStatus, statusDoc } from './replicas-fixtures';
import { useTempDir } from './temp-dir';

// status --watch against a fake Docker: the frames, Ctrl-C, and a balancer
// that comes and goes. What a frame looks like is live-status.test.ts's.

const tmp = useTempDir();
const READ_STATUS = `${PROBE} /status`;

const first = statusDoc([serviceStatus([replicaStatus(1, 'ready'), replicaStatus(2, 'starting')])]);
const second = statusDoc([serviceStatus([replicaStatus(1, 'ready'), replicaStatus(2, 'ready', { reqPerSec: 4 })])]);
const routed: StatusDocument = {
  ...second,
  services: [...second.services, serviceStatus([], { service: 'api', route: 'path /api' })],
};

/**
 * Compose v2 with web-lb running; /status answers `docs` in turn, and the
 * user presses Ctrl-C while /status is asked for the `pressAt`th time.
 */
function watching(docs: readonly StatusDocument[], pressAt: number, over: Script = () => undefined) {
  const interrupts = new FakeInterrupts();
  let asked = 0;
  const script: Script = (command) => {
    const answer = over(command);
    if (command === READ_STATUS && ++asked === pressAt) interrupts.press();
    if (answer) return answer;
    if (command === 'docker compose version') return {};
    if (command === 'docker compose ps -q web-lb') return { stdout: `${LB}\n` };
    if (command === READ_STATUS) return probeAnswer(200, docs[Math.min(asked - 1, docs.length - 1)]);
    return undefined;
  };
  const run = (argv: string[], terminal: boolean): Promise<CliRun> =>
    runCommands(tmp(), ['status', '--watch', ...argv], script, { interrupts, terminal });
  return { run, interrupts };
}

describe('compose-lb status --watch', () => {
  it('redraws in a terminal every second until Ctrl-C, which ends it (exit 0)', async () => {
    writeBalancedProject(tmp());
    const { run, interrupts } = watching([first, second], 3);
    const result = await run([], true);
    expect(result.error).toBeUndefined();
    expect(result.stdout).toBe(`${CLEAR_SCREEN}${statusFrame(first, 'web-lb')}${CLEAR_SCREEN}${statusFrame(second, 'web-lb')}`);
    expect(result.runner.calls).toEqual([
      'docker compose version',
      'docker compose ps -q web-lb',
      READ_STATUS,
      READ_STATUS,
      READ_STATUS,
    ]);
    expect(result.clock.sleeps).toEqual([WATCH_MS, WATCH_MS]);
    expect(interrupts.listening).toBe(0);
  });

  it('prints one frame after another elsewhere, of the service asked about only', async () => {
    writeBalancedProject(tmp());
    const { run } = watching([routed], 3);
    const result = await run(['web'], false);
    expect(result.error).toBeUndefined();
    const frame = statusFrame(routed, 'web-lb', 'web');
    expect(frame).not.toContain('api');
    expect(result.stdout).toBe(`${frame}\n${frame}`);
  });

  it('shows a balancer that is not running, and finds it once it runs', async () => {
    writeBalancedProject(tmp());
    let lookups = 0;
    const { run } = watching([first], 2, (command) =>
      command === 'docker compose ps -q web-lb' && ++lookups === 1 ? { stdout: '' } : undefined,
    );
    const result = await run([], false);
    expect(result.stdout).toBe(`web-lb is not running\n\n${statusFrame(first, 'web-lb')}`);
  });

  it('shows what failed when the balancer does not answer, and looks for its container again', async () => {
    writeBalancedProject(tmp());
    let reads = 0;
    const { run } = watching([first], 3, (command) =>
      command === READ_STATUS && ++reads === 1 ? { code: 1, stderr: 'Error: No such container: f00dfeedbeef' } : undefined,
    );
    const result = await run([], false);
    expect(result.stdout).toBe(
      'web-lb: cannot read the balancer\'s status (docker exec f00dfeedbeef): Error: No such container: f00dfeedbeef\n' +
        `\n${statusFrame(first, 'web-lb')}`,
    );
    expect(result.runner.calls.filter((c) => c === 'docker compose ps -q web-lb')).toHaveLength(2);
  });

  it('refuses (exit 2) a service without a balancer before running anything', async () => {
    writeBalancedProject(tmp());
    const { run } = watching([first], 1);
    const result = await run(['db'], true);
    expect(result.error).toBeInstanceOf(ComposeInputError);
    expect(result.runner.calls).toEqual([]);
  });
});
