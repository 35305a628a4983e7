import { EventJournal } from '../../../src/balancer/event-journal';
import { ReplicaStats } from '../../../src/balancer/replica-stats';
import { localReplica } from '../support/proxy-harness';
import { scopedServers, statusAndBody } from '../support/scoped-servers';
import { statusDocument } from '../../../src/admin/status-document';

describe('ReplicaStats', () => {
  const T0 = 1_000_000_000;

  it('gives requests per second, errors and percentiles over the last minute', () => {
    const stats = new ReplicaStats();
    for (let s = 0; s < 10; s++) {
      for (let i = 0; i < 10; i++) stats.record(T0 + s * 1000 + i, i === 9 ? 500 : 20, i === 0);
    }
    const view = stats.view(T0 + 9_500);
    expect(view.reqPerSec).toBe(10);
    expect(view.errors).toBe(10);
    // Buckets are within 19 % of the true time.
    expect(view.p50).toBeGreaterThanOrEqual(20);
    expect(view.p50).toBeLessThan(20 * 1.19);
    expect(view.p99).toBeGreaterThanOrEqual(500);
    expect(view.p99).toBeLessThan(500 * 1.19);
  });

  it('forgets what is older than a minute', () => {
    const stats = new ReplicaStats();
    stats.record(T0, 10, true);
    expect(stats.view(T0 + 59_000).errors).toBe(1);
    expect(stats.view(T0 + 61_000)).toEqual({ reqPerSec: 0, errors: 0, p50: null, p99: null });
  });
});

describe('EventJournal', () => {
  it('keeps the last events, oldest falling off', () => {
    let now = 0;
    const journal = new EventJournal(2, () => ++now);
    journal.add('web-1', 'added', 'initial list');
    journal.add('web-2', 'added', 'container start');
    journal.add('web-1', 'draining', 'kill (signal 15)');
    expect(journal.recent().map((e) => `${e.at} ${e.replica} ${e.event}`)).toEqual(['2 web-2 added', '3 web-1 draining']);
  });
});

describe('statusDocument', () => {
  const { upstream, proxy } = scopedServers();

  it("shows each service's replicas with their last minute, and what happened to them, newest first", async () => {
    const one = await upstream('one');
    const replica = localReplica(one.port, { name: 'shop-web-1' });
    const lb = await proxy([replica]);
    for (let i = 0; i < 3; i++) expect(await statusAndBody(`${lb.url}/`)).toBe('200 one');
    lb.setReplicas([{ ...replica, stopping: true }], 'kill (signal 15)');
    const doc = statusDocument({
      project: () => 'shop',
      strategy: 'round-robin',
      services: lb.stack.services,
      registry: lb.stack.metrics.registry,
      feed: () => ({ source: 'docker', connected: true, since: 0 }),
    });
    const web = doc.services[0]!;
    expect(web).toMatchObject({ service: 'web', route: 'default route', ready: 0, held: 0 });
    expect(web.replicas).toEqual([
      expect.objectContaining({ name: 'shop-web-1', state: 'draining', served: 3, errors: 0, weight: 1 }),
    ]);
    expect(web.replicas[0]!.p50).not.toBeNull();
    expect(web.events.map((e) => `${e.replica} ${e.event} (${e.why})`)).toEqual([
      'shop-web-1 draining (kill (signal 15))',
      'shop-web-1 added (test)',
    ]);
  });
});
