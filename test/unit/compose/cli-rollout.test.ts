import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ComposeInputError } from '../../../src/compose/compose-errors';
import { lockPath } from '../../../src/runtime/rollout/rollout-lock';
import { ComposeRunError, InterruptedError, RolloutTimeoutError } from '../../../src/runtime/runtime-errors';
import { HARNESS_PID, runCommands, writeBalancedProject, type CliRun } from './cli-harness';
import { FakeInterrupts } from './fake-interrupts';
import { containerId, drainCommand, FakeStack, READ_WEB, type StackOptions } from './fake-stack';
import { useTempDir } from './temp-dir';

// rollout against a fake Compose, Docker and balancer (FakeStack): every path,
// as the exact commands it runs and what it leaves running.

const tmp = useTempDir();
const OLD = [1, 2, 3].map(containerId);
const NEW = [4, 5, 6].map(containerId);
const UP = 'docker compose up -d --no-recreate --scale web=6 web';

const balancedProject = (): string => writeBalancedProject(tmp());

interface Rollout extends CliRun {
  stack: FakeStack;
  interrupts: FakeInterrupts;
}

/** Runs `compose-lb rollout ARGV` against a FakeStack; `press` says at which command Ctrl-C comes. */
async function rollout(
  argv: string[],
  opts: StackOptions & { press?: (command: string, count: number) => boolean } = {},
): Promise<Rollout> {
  balancedProject();
  const interrupts = new FakeInterrupts();
  const seen = new Map<string, number>();
  const stack = new FakeStack({
    ...opts,
    on: (command) => {
      seen.set(command, (seen.get(command) ?? 0) + 1);
      if (opts.press?.(command, seen.get(command) ?? 0)) interrupts.press();
    },
  });
  const run = await runCommands(tmp(), ['rollout', ...argv], stack.script, { interrupts });
  return { ...run, stack, interrupts };
}

const lockFile = (): string => lockPath({ dir: tmp(), pid: HARNESS_PID, isAlive: () => true }, 'demo', 'web');
const drainOf = (id: string): string => drainCommand(id);
const after = (calls: string[], command: string): string[] => calls.slice(calls.lastIndexOf(command) + 1);

/** Every rollout, whatever happened, ends with its lock gone and Ctrl-C no longer caught. */
function expectCleanEnd(run: Rollout): void {
  expect(existsSync(lockFile())).toBe(false);
  expect(run.interrupts.listening).toBe(0);
}

describe('compose-lb rollout', () => {
  it('starts N new replicas beside the old, waits until they are ready, drains, stops and removes the old', async () => {
    const run = await rollout(['web'], { inflight: [2, 1, 0] });
    expect(run.error).toBeUndefined();
    expect(run.runner.calls).toEqual([
      'docker compose version',
      'docker compose ps -q web-lb',
      READ_WEB,
      'docker compose ps -q web',
      UP,
      'docker compose ps -q web',
      READ_WEB,
      READ_WEB,
      ...OLD.map(drainOf),
      READ_WEB,
      READ_WEB,
      `docker stop ${OLD.join(' ')}`,
      `docker rm ${OLD.join(' ')}`,
    ]);
    expect(run.stderr).toBe(
      [
        `compose-lb: starting 3 new replicas beside the old ones: ${UP}`,
        'compose-lb: started c40000000000, c50000000000, c60000000000',
        'compose-lb: web: 0 of 3 new replicas ready; waiting for demo-web-4 (starting), demo-web-5 (starting), demo-web-6 (starting)',
        'compose-lb: all 3 new replicas ready: demo-web-4, demo-web-5, demo-web-6',
        'compose-lb: demo-web-1: drained (2 requests in flight finish first)',
        'compose-lb: demo-web-2: drained (2 requests in flight finish first)',
        'compose-lb: demo-web-3: drained (2 requests in flight finish first)',
        'compose-lb: web: old replicas finishing 3 requests in flight (demo-web-1: 1, demo-web-2: 1, demo-web-3: 1)',
        'compose-lb: stopping the old replicas: docker stop c10000000000 c20000000000 c30000000000',
        'compose-lb: removing them: docker rm c10000000000 c20000000000 c30000000000',
        '',
      ].join('\n'),
    );
    expect(run.stdout).toBe('web: 3 replicas replaced; serving now: demo-web-4, demo-web-5, demo-web-6\n');
    expect(run.stack.running).toEqual(NEW);
    expect(run.clock.time).toBe(1000);
    expectCleanEnd(run);
  });

  it('passes -f and -p to every Compose command, with docker-compose (v1) as with docker compose (v2)', async () => {
    const path = join(tmp(), 'compose.yaml');
    const v1 = await rollout(['web', '-f', 'compose.yaml', '-p', 'shop'], {
      compose: `docker-compose -f ${path} -p shop`,
    });
    expect(v1.error).toBeUndefined();
    expect(v1.runner.calls.filter((c) => c.startsWith('docker-compose'))).toEqual([
      'docker-compose version',
      `docker-compose -f ${path} -p shop ps -q web-lb`,
      `docker-compose -f ${path} -p shop ps -q web`,
      `docker-compose -f ${path} -p shop up -d --no-recreate --scale web=6 web`,
      `docker-compose -f ${path} -p shop ps -q web`,
    ]);
    const v2 = await rollout(['web', '--project-name', 'shop'], { compose: 'docker compose -p shop' });
    expect(v2.error).toBeUndefined();
    expect(v2.runner.calls).toContain('docker compose -p shop up -d --no-recreate --scale web=6 web');
  });

  it('removes exactly the new replicas when they are not all ready in time; the old ones keep serving (exit 1)', async () => {
    const run = await rollout(['web', '--timeout', '5s'], { readyAfter: Infinity });
    expect(run.error).toBeInstanceOf(RolloutTimeoutError);
    expect((run.error as Error).message).toBe(
      'the new replicas were not all ready after 5s (web: 0 of 3 new replicas ready; waiting for demo-web-4 (starting), demo-web-5 (starting), demo-web-6 (starting)); they are removed, and the old replicas still serve: demo-web-1, demo-web-2, demo-web-3',
    );
    expect(after(run.runner.calls, READ_WEB)).toEqual([
      `docker stop ${NEW.join(' ')}`,
      `docker rm ${NEW.join(' ')}`,
    ]);
    expect(run.runner.calls.filter((c) => c.includes('--method POST'))).toEqual([]);
    expect(run.clock.time).toBe(5000);
    expect(run.stack.running).toEqual(OLD);
    expectCleanEnd(run);
  });

  it('stops waiting for the old replicas to finish at the timeout, and removes them anyway', async () => {
    const run = await rollout(['web', '--timeout', '5s'], { inflight: [4] });
    expect(run.error).toBeUndefined();
    expect(run.stderr).toContain(
      'compose-lb: timeout: the old replicas still have requests in flight; stopping them anyway\n',
    );
    expect(run.clock.time).toBe(5000);
    expect(run.stack.running).toEqual(NEW);
  });

  it('goes on when the balancer cannot drain an old replica: stopping it drains it', async () => {
    const run = await rollout(['web'], { refuseDrain: true });
    expect(run.error).toBeUndefined();
    expect(run.stderr).toContain(
      'compose-lb: demo-web-1: not drained (no replica "c10000000000ffff" (name, Compose number or container ID)); stopping drains it\n',
    );
    expect(run.stack.running).toEqual(NEW);
  });

  it('removes what Compose created when `up` fails, and says the old replicas still serve (exit 1)', async () => {
    const run = await rollout(['web'], { upCode: 1, started: 1 });
    expect(run.error).toBeInstanceOf(ComposeRunError);
    expect((run.error as Error).message).toBe(
      `\`${UP}\` failed (exit code 1); the old replicas still serve: demo-web-1, demo-web-2, demo-web-3`,
    );
    expect(after(run.runner.calls, UP)).toEqual([
      'docker compose ps -q web',
      `docker stop ${containerId(4)}`,
      `docker rm ${containerId(4)}`,
    ]);
    expectCleanEnd(run);
  });

  it('fails (exit 1) when Compose starts nothing new', async () => {
    const run = await rollout(['web'], { started: 0 });
    expect((run.error as Error).message).toBe('Compose started no new web containers; nothing changed');
    expect(run.stack.running).toEqual(OLD);
  });

  describe('Ctrl-C', () => {
    it('during `up`: removes the new containers Compose got to create; the old ones serve (exit 130)', async () => {
      const run = await rollout(['web'], { press: (c) => c === UP, upCode: 130, started: 2 });
      expect(run.error).toBeInstanceOf(InterruptedError);
      expect((run.error as Error).message).toBe(
        'interrupted before the new replicas were ready: they are removed, and the old replicas still serve: demo-web-1, demo-web-2, demo-web-3',
      );
      expect(after(run.runner.calls, UP)).toEqual([
        'docker compose ps -q web',
        `docker stop ${NEW.slice(0, 2).join(' ')}`,
        `docker rm ${NEW.slice(0, 2).join(' ')}`,
      ]);
      expect(run.stderr).toContain('compose-lb: Ctrl-C: leaving a serving state, this takes a moment\n');
      expect(run.stack.running).toEqual(OLD);
      expectCleanEnd(run);
    });

    it('while the new replicas start: removes them at once; the old ones serve (exit 130)', async () => {
      const run = await rollout(['web'], {
        readyAfter: 10,
        press: (c, n) => c === READ_WEB && n === 3,
      });
      expect(run.error).toBeInstanceOf(InterruptedError);
      expect(after(run.runner.calls, READ_WEB)).toEqual([
        `docker stop ${NEW.join(' ')}`,
        `docker rm ${NEW.join(' ')}`,
      ]);
      expect(run.clock.time).toBe(500);
      expect(run.stack.running).toEqual(OLD);
      expectCleanEnd(run);
    });

    it('once the new replicas are ready: stops the old ones without waiting for their requests (exit 130)', async () => {
      const run = await rollout(['web'], { inflight: [5], press: (c) => c === drainOf(OLD[0] ?? '') });
      expect(run.error).toBeInstanceOf(InterruptedError);
      expect((run.error as Error).message).toBe(
        'interrupted after the new replicas were ready: the old ones are removed, demo-web-4, demo-web-5, demo-web-6 serve',
      );
      expect(after(run.runner.calls, drainOf(OLD[2] ?? ''))).toEqual([
        READ_WEB,
        `docker stop ${OLD.join(' ')}`,
        `docker rm ${OLD.join(' ')}`,
      ]);
      expect(run.stderr).toContain('compose-lb: interrupted: the new replicas serve; stopping the old ones now\n');
      expect(run.clock.time).toBe(500);
      expect(run.stack.running).toEqual(NEW);
      expectCleanEnd(run);
    });
  });

  describe('refuses (exit 2)', () => {
    it.each([
      [['wbe'], 'no service "wbe" in compose.yaml; its services are: web, web-lb, compose-lb-discovery, api, db'],
      [['api'], 'api has no balancer in compose.yaml; run `compose-lb add api` first'],
      [['web', '-p', 'Shop'], undefined],
    ])('%j before running anything', async (argv, message) => {
      const run = await rollout(argv);
      if (message === undefined) expect(run.error).toMatchObject({ code: 'commander.invalidArgument' });
      else expect([run.error instanceof ComposeInputError, (run.error as Error).message]).toEqual([true, message]);
      expect(run.runner.calls).toEqual([]);
    });

    it('a service with no running replica', async () => {
      const run = await rollout(['web'], { old: 0 });
      expect(run.error).toBeInstanceOf(ComposeInputError);
      expect((run.error as Error).message).toBe(
        'no web replica is running: nothing to roll out; use compose-lb scale web=N',
      );
      expect(run.runner.calls).not.toContain(UP);
      expectCleanEnd(run);
    });

    it('a second rollout of the same project and service while the first runs, and leaves its lock alone', async () => {
      balancedProject();
      writeFileSync(lockFile(), '777\n');
      const locks = { dir: tmp(), pid: HARNESS_PID, isAlive: (pid: number) => pid === 777 };
      const run = await runCommands(tmp(), ['rollout', 'web'], new FakeStack().script, { locks });
      expect(run.error).toBeInstanceOf(ComposeInputError);
      expect((run.error as Error).message).toBe(
        `a rollout of web in project demo is already running (pid 777, lock ${lockFile()})`,
      );
      expect(run.runner.calls).not.toContain('docker compose ps -q web');
      expect(readFileSync(lockFile(), 'utf8')).toBe('777\n');
    });
  });

  it('takes over a lock whose process is gone', async () => {
    balancedProject();
    writeFileSync(lockFile(), '778\n');
    const run = await rollout(['web']);
    expect(run.error).toBeUndefined();
    expectCleanEnd(run);
  });

  it('fails (exit 1) when the balancer is not running', async () => {
    balancedProject();
    const stack = new FakeStack();
    const run = await runCommands(tmp(), ['rollout', 'web'], (c) =>
      c === 'docker compose ps -q web-lb' ? { stdout: '' } : stack.script(c),
    );
    expect(run.error).toEqual(new ComposeRunError('web-lb is not running'));
    expect(run.runner.calls).not.toContain(UP);
  });
});
