import {
  drainVerdict,
  nameOf,
  newSetVerdict,
  startedSince,
} from '../../../src/runtime/rollout/rollout-progress';
import { containerId } from './fake-stack';
import { replica, replicasDoc } from './replicas-fixtures';

/** Replica n as the balancer shows it: the first 12 characters of containerId(n). */
const seen = (n: number, state: string, inflight = 0) =>
  replica(n, state, { id: containerId(n).slice(0, 12), inflight });

describe('startedSince', () => {
  it('is what runs now and did not before, in Compose order', () => {
    expect(startedSince(['a', 'b', 'c', 'd'], ['b', 'a'])).toEqual(['c', 'd']);
    expect(startedSince(['a'], ['a'])).toEqual([]);
  });
});

describe('nameOf', () => {
  it("matches Compose's full ID against the balancer's 12 characters; the short ID when unknown", () => {
    const doc = replicasDoc([seen(4, 'ready')]);
    expect(nameOf(doc, containerId(4))).toBe('demo-web-4');
    expect(nameOf(doc, containerId(5))).toBe('c50000000000');
    expect(nameOf(undefined, containerId(4))).toBe('c40000000000');
  });
});

describe('newSetVerdict', () => {
  const fresh = [4, 5, 6].map(containerId);

  it('waits, naming the ready ones and the state of the others', () => {
    const doc = replicasDoc([seen(1, 'ready'), seen(4, 'ready'), seen(5, 'unhealthy')]);
    expect(newSetVerdict(doc, fresh)).toEqual({
      done: false,
      line: 'web: 1 of 3 new replicas ready (demo-web-4); waiting for demo-web-5 (unhealthy), c60000000000 (not seen yet)',
    });
  });

  it('is done when every new one is ready, whatever the old ones do', () => {
    const doc = replicasDoc([seen(1, 'draining'), seen(4, 'ready'), seen(5, 'ready'), seen(6, 'ready')]);
    expect(newSetVerdict(doc, fresh)).toEqual({ done: true });
  });

  it.each(['starting', 'drained', 'ejected', 'draining'])('is not done while one is %s', (state) => {
    const doc = replicasDoc([seen(4, 'ready'), seen(5, 'ready'), seen(6, state)]);
    expect(newSetVerdict(doc, fresh).done).toBe(false);
  });
});

describe('drainVerdict', () => {
  const old = [1, 2, 3].map(containerId);

  it('waits while an old one has requests in flight', () => {
    const doc = replicasDoc([seen(1, 'drained', 2), seen(2, 'drained', 1), seen(3, 'drained'), seen(4, 'ready', 9)]);
    expect(drainVerdict(doc, old)).toEqual({
      done: false,
      line: 'web: old replicas finishing 3 requests in flight (demo-web-1: 2, demo-web-2: 1)',
    });
  });

  it('is done when none has any, counting those the balancer no longer lists as idle', () => {
    expect(drainVerdict(replicasDoc([seen(1, 'drained'), seen(4, 'ready', 9)]), old)).toEqual({ done: true });
  });
});
