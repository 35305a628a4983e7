import type { ReplicasDocument } from '../../../src/proxy/admin-server';
import type { Clock } from '../../../src/compose/clock';
import { ScaleTimeoutError } from '../../../src/compose/compose-errors';
import { waitForReplicas } from '../../../src/compose/wait-for-replicas';
import { replica, replicasDoc } from './replicas-fixtures';

/** Time moves only when the waiter sleeps. */
class FakeClock implements Clock {
  time = 0;
  readonly sleeps: number[] = [];
  now(): number {
    return this.time;
  }
  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.time += ms;
  }
}

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
