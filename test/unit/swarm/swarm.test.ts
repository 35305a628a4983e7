import type { Snapshot } from '../../../src/balancer/replica';
import { resolveSwarmIdentity } from '../../../src/swarm/swarm-identity';
import { SwarmSource } from '../../../src/swarm/swarm-source';
import { taskToReplica, type TaskContext } from '../../../src/swarm/task-replica';
import { captureLogs } from '../support/log-capture';
import { waitUntil } from '../support/scoped-servers';
import { FakeSwarm, task } from './fake-swarm';

const CTX: TaskContext = { service: 'shop_web', targetPort: 80, networks: new Set(['shop_default']), shutdownSeen: () => 1_000 };

describe('taskToReplica', () => {
  it('reads a running task as a ready replica at its overlay address', () => {
    const result = taskToReplica(task('w', 2), CTX);
    expect(result).toEqual({
      ok: true,
      replica: expect.objectContaining({ name: 'shop_web.2', number: 2, host: '10.0.1.12', port: 80, health: 'none', stopping: false }),
    });
  });

  it('drains a task the orchestrator wants shut down, with its kill due its grace period later', () => {
    const result = taskToReplica(task('w', 1, { DesiredState: 'shutdown' }), CTX);
    expect(result).toMatchObject({ ok: true, replica: { stopping: true, killAt: 1_000 + 5_000, stopTimeoutMs: 5_000 } });
  });

  it.each<[string, Parameters<typeof task>[2], Partial<TaskContext>, RegExp]>([
    ['a task not running yet', { Status: { State: 'preparing' } }, {}, /not running \(preparing\)/],
    ['a task on no network shared with the balancer', {}, { networks: new Set(['other']) }, /no network shared/],
    ['a task when no port is configured', {}, { targetPort: undefined }, /set LB_TARGET_PORT/],
  ])('skips %s', (_name, over, ctx, reason) => {
    const result = taskToReplica(task('w', 1, over), { ...CTX, ...ctx });
    expect(result.ok ? '' : result.reason).toMatch(reason);
  });

  it('takes a starting task (its healthcheck not passed yet) as not ready', () => {
    expect(taskToReplica(task('w', 1, { Status: { State: 'starting' } }), CTX)).toMatchObject({ replica: { health: 'starting' } });
  });
});

describe('resolveSwarmIdentity', () => {
  it("finds the balancer's own task by its container ID, and its stack and networks", async () => {
    const swarm = new FakeSwarm();
    swarm.services.set('lb', { ID: 'lb', Spec: { Name: 'shop_web-lb', Labels: { 'com.docker.stack.namespace': 'shop' } } });
    swarm.tasks.set('t', task('lb', 1));
    const identity = await resolveSwarmIdentity(swarm, ['nope', 'lb1'.slice(0, 3)]);
    expect(identity?.stack).toBe('shop');
    expect([...(identity?.networks ?? [])]).toEqual(['net1', 'shop_default']);
    expect(identity?.fullName('web')).toBe('shop_web');
    expect(identity?.fullName('shop_web')).toBe('shop_web');
  });

  it('says the balancer is no task of this swarm', async () => {
    expect(await resolveSwarmIdentity(new FakeSwarm(), ['abc'])).toBeUndefined();
  });
});

describe('SwarmSource', () => {
  it('follows a rolling update: the old task drains as soon as a listing shows it shut down, the new one joins', async () => {
    const swarm = new FakeSwarm();
    swarm.services.set('w', { ID: 'w', Spec: { Name: 'shop_web' } });
    swarm.tasks.set('a', task('w', 1));
    const snapshots: Snapshot[] = [];
    const source = new SwarmSource({
      swarm,
      service: 'shop_web',
      targetPort: 80,
      networks: new Set(['shop_default']),
      log: captureLogs().log,
      onSnapshot: (s) => snapshots.push(s),
      resyncIntervalMs: 60_000,
      convergingIntervalMs: 10,
    });
    await source.start();
    expect(snapshots.at(-1)?.map((r) => r.name)).toEqual(['shop_web.1']);

    // `docker service update`: one event, then the orchestrator moves task by task.
    swarm.emitServiceUpdate('shop_web');
    swarm.tasks.set('a', task('w', 1, { DesiredState: 'shutdown' }));
    await waitUntil(() => snapshots.at(-1)?.[0]?.stopping === true);
    swarm.tasks.set('b', task('w', 1, { ID: 'taskw1b', Status: { State: 'running', ContainerStatus: { ContainerID: 'b'.repeat(64) } } }));
    await waitUntil(() => snapshots.at(-1)?.length === 2);
    const byId = new Map(snapshots.at(-1)?.map((r) => [r.id.slice(0, 4), r.stopping]));
    expect(Object.fromEntries(byId)).toEqual({ w100: true, bbbb: false });
    source.stop();
  });
});
