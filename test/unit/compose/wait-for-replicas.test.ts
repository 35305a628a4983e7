import type { ReplicasDocument } from '../../../src/admin/views';
import { ScaleTimeoutError } from '../../../src/runtime/runtime-errors';
import { pollBalancer, waitForReplicas } from '../../../src/runtime/wait-for-replicas';
import { FakeClock } from './fake-clock';
import { replica, replicasDoc } from './replicas-fixtures';

/** Answers in turn, repeating the last answer; an Error answer is thrown. */
function answers(...docs: (ReplicasDocument | Error)[]): () => Promise<ReplicasDocument> {
  let i = 0;
  return async () => {
    const next = docs[Math.min(i++, docs.length - 1)];
    if (next === undefined || next instanceof Error) throw next ?? new Error('no answer');
    return next;
  };
}

describe('waitForReplicas', () => {
  const options = (read: () => Promise<ReplicasDocument>, clock: FakeClock, progress: string[]) => ({
    service: 'web',
    want: 3,
    timeoutMs: 10_000,
    pollMs: 500,
    clock,
    read,
    progress: (line: string) => progress.push(line),
  });

  it('returns once the balancer reports the wanted number ready, reporting each change once', async () => {
    const clock = new FakeClock();
    const progress: string[] = [];
    const starting = replicasDoc([replica(1, 'ready'), replica(2, 'starting'), replica(3, 'starting')]);
    const done = replicasDoc([replica(1, 'ready'), replica(2, 'ready'), replica(3, 'ready')]);
    const read = answers(new Error('container is restarting'), starting, starting, done);
    await expect(waitForReplicas(options(read, clock, progress))).resolves.toBe(done);
    expect(progress).toEqual([
      'web: the balancer does not answer yet (container is restarting)',
      'web: 1 of 3 ready (2 starting: demo-web-2, demo-web-3)',
    ]);
    expect(clock.sleeps).toEqual([500, 500, 500]);
  });

  it('waits for scale-down too: replicas draining are not ready', async () => {
    const clock = new FakeClock();
    const draining = replicasDoc([
      replica(1, 'ready'),
      replica(2, 'ready'),
      replica(3, 'ready'),
      replica(4, 'draining'),
    ]);
    await expect(waitForReplicas(options(answers(draining), clock, []))).resolves.toBe(draining);
  });

  it('gives up at the deadline with the last picture', async () => {
    const clock = new FakeClock();
    const stuck = replicasDoc([replica(1, 'ready'), replica(2, 'ready'), replica(3, 'unhealthy')]);
    const err = await waitForReplicas(options(answers(stuck), clock, [])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ScaleTimeoutError);
    expect((err as Error).message).toBe(
      'gave up after 10s waiting for 3 ready replicas of web; last: web: 2 of 3 ready (1 unhealthy: demo-web-3)',
    );
    expect(clock.time).toBe(10_000);
  });
});

describe('pollBalancer', () => {
  const stuck = replicasDoc([replica(1, 'starting')]);
  const polling = (clock: FakeClock) => ({
    service: 'web',
    timeoutMs: 60_000,
    pollMs: 500,
    clock,
    read: answers(stuck),
    judge: () => ({ done: false as const, line: 'web: not yet' }),
    progress: () => undefined,
  });

  it('looks once when there is no time left', async () => {
    const clock = new FakeClock();
    const read = jest.fn(answers(stuck));
    const outcome = await pollBalancer({ ...polling(clock), timeoutMs: 0, read });
    expect(outcome).toEqual({ kind: 'timeout', last: 'web: not yet' });
    expect(read).toHaveBeenCalledTimes(1);
    expect(clock.sleeps).toEqual([]);
  });

  it('stops waiting as soon as the signal fires, even in the middle of a pause', async () => {
    const interrupt = new AbortController();
    const clock = new FakeClock();
    // A clock whose sleep never ends on its own: only the signal can end the pause.
    clock.sleep = () => new Promise<void>(() => undefined);
    const outcome = pollBalancer({ ...polling(clock), signal: interrupt.signal });
    await new Promise((resolve) => setImmediate(resolve));
    interrupt.abort();
    await expect(outcome).resolves.toEqual({ kind: 'interrupted', last: 'web: not yet' });
  });
});
