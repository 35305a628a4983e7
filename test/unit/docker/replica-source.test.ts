import type { Replica, Snapshot } from '../../../src/balancer/replica';
import type { DockerEvent } from '../../../src/docker/docker-api';
import { ReplicaSource, type ReplicaSourceOptions } from '../../../src/docker/replica-source';
import { container, NETWORK, PROJECT, SERVICE, type ContainerSpec } from '../fakes/container-json';
import { FakeDocker, type DockerMethod } from '../fakes/fake-docker';
import { captureLogs } from '../support/log-capture';

/** Replica `n` of shop/web: ID `web<n>`, name `shop-web-<n>`. */
const web = (n: number, spec: Partial<ContainerSpec> = {}) => container({ id: `web${n}`, number: n, ...spec });

function event(Action: string, id: string, signal?: string): DockerEvent {
  return { Type: 'container', Action, Actor: { ID: id, Attributes: signal === undefined ? {} : { signal } } };
}

/** A replica as one short string: `shop-web-1`, `shop-web-2 healthy stopping`. */
function describeReplica(r: Replica): string {
  return [r.name, ...(r.health === 'none' ? [] : [r.health]), ...(r.stopping ? ['stopping'] : [])].join(' ');
}

interface Published {
  readonly replicas: string[];
  readonly reason: string;
}

/** Every snapshot the source published, for the test to await one by one. */
class PublishedQueue {
  private readonly seen: Published[] = [];
  private taken = 0;
  private wake: (() => void) | undefined;

  readonly record = (snapshot: Snapshot, reason: string): void => {
    this.seen.push({ replicas: snapshot.map(describeReplica), reason });
    this.wake?.();
  };

  get count(): number {
    return this.seen.length;
  }

  /** The next snapshot not yet taken, once it is published. */
  async next(): Promise<Published> {
    while (this.seen.length <= this.taken) await new Promise<void>((resolve) => (this.wake = resolve));
    return this.seen[this.taken++] as Published;
  }
}

/** Lets the promise chain of a re-list run to its end: the fake answers without timers. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const running: ReplicaSource[] = [];
afterEach(() => {
  for (const source of running.splice(0)) source.stop();
});

/** Starts a source on `docker` with small real timers; `started` is what start() returned. */
function watch(docker: FakeDocker, options: Partial<ReplicaSourceOptions> = {}) {
  const published = new PublishedQueue();
  const { log, lines } = captureLogs();
  const source = new ReplicaSource({
    docker,
    context: { project: PROJECT, service: SERVICE, targetPort: undefined, networks: new Set([NETWORK]) },
    log,
    onSnapshot: published.record,
    resyncIntervalMs: 60_000,
    coalesceMs: 5,
    backoff: { initialMs: 1, maxMs: 4 },
    ...options,
  });
  running.push(source);
  const messages = (): string[] => lines.map((line) => line.msg);
  return { source, published, messages, started: source.start() };
}

/** A source already past its first snapshot. */
async function watching(docker: FakeDocker, options: Partial<ReplicaSourceOptions> = {}) {
  const watched = watch(docker, options);
  await watched.started;
  await watched.published.next();
  return watched;
}

describe('ReplicaSource', () => {
  it('opens the events stream before it lists, then publishes the service replicas', async () => {
    const docker = new FakeDocker(web(2), web(1), container({ id: 'db1', service: 'db' }));
    const { published, started } = watch(docker);
    await started;
    expect(docker.calls).toEqual(['streamEvents', 'listContainerIds', 'inspectContainer web2', 'inspectContainer web1']);
    expect(docker.lastLabels).toEqual([`com.docker.compose.project=${PROJECT}`, `com.docker.compose.service=${SERVICE}`]);
    await expect(published.next()).resolves.toEqual({ replicas: ['shop-web-1', 'shop-web-2'], reason: 'initial list' });
  });

  it.each<[string, (docker: FakeDocker, events: DockerEvent[]) => void]>([
    ['in one chunk', (docker, events) => docker.emit(...events)],
    ['in ten chunks', (docker, events) => events.forEach((e) => docker.emit(e))],
  ])('re-lists once for a burst of ten start events %s', async (_name, send) => {
    const docker = new FakeDocker(web(1));
    const { published } = await watching(docker);
    const numbers = [2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
    docker.add(...numbers.map((n) => web(n)));
    send(docker, numbers.map((n) => event('start', `web${n}`)));
    const burst = await published.next();
    expect(burst.replicas).toHaveLength(11);
    expect(burst.reason).toBe('container start');
    expect(docker.count('listContainerIds')).toBe(2);

    // Had the burst queued a second re-list, this event would share it and carry its reason.
    docker.remove('web11');
    docker.emit(event('die', 'web11'));
    await expect(published.next()).resolves.toMatchObject({ reason: 'container die' });
    expect(docker.count('listContainerIds')).toBe(3);
  });

  it('does not publish a re-list that changed nothing', async () => {
    const docker = new FakeDocker(web(1));
    const { published } = await watching(docker);
    docker.emit(event('start', 'web1'));
    await docker.waitForCalls('listContainerIds', 2);
    await settle();
    expect(published.count).toBe(1);

    docker.add(web(2)).emit(event('start', 'web2'));
    await expect(published.next()).resolves.toEqual({ replicas: ['shop-web-1', 'shop-web-2'], reason: 'container start' });
  });

  it.each<[string, DockerEvent, Partial<ContainerSpec>, string]>([
    ['kill SIGTERM', event('kill', 'web2', '15'), {}, 'kill (signal 15)'],
    ['kill SIGKILL', event('kill', 'web2', '9'), {}, 'kill (signal 9)'],
    ['kill with its STOPSIGNAL', event('kill', 'web2', '3'), { stopSignal: 'SIGQUIT' }, 'kill (signal 3)'],
    ['stop', event('stop', 'web2'), {}, 'stop'],
  ])('marks a replica stopping on %s at once, before any re-list', async (_name, stopEvent, spec, reason) => {
    const docker = new FakeDocker(web(1), web(2, spec));
    const { published } = await watching(docker);
    docker.emit(stopEvent);
    await expect(published.next()).resolves.toEqual({ replicas: ['shop-web-1', 'shop-web-2 stopping'], reason });
    expect(docker.count('listContainerIds')).toBe(1);
  });

  it('keeps a stopping replica stopping through re-lists while Docker still lists it, and drops it once gone', async () => {
    const docker = new FakeDocker(web(1), web(2));
    const { published } = await watching(docker);
    docker.emit(event('kill', 'web2', '15'));
    await published.next();

    docker.add(web(1, { health: 'healthy' })).emit(event('health_status: healthy', 'web1'));
    await expect(published.next()).resolves.toEqual({
      replicas: ['shop-web-1 healthy', 'shop-web-2 stopping'],
      reason: 'container health_status: healthy',
    });

    docker.remove('web2').emit(event('die', 'web2'));
    await expect(published.next()).resolves.toEqual({ replicas: ['shop-web-1 healthy'], reason: 'container die' });
  });

  it('takes a stopping replica back on start, but not on a HUP', async () => {
    const docker = new FakeDocker(web(1), web(2));
    const { published } = await watching(docker);
    docker.emit(event('kill', 'web2', '15'));
    await published.next();

    docker.add(web(1, { health: 'healthy' }));
    docker.emit(event('kill', 'web2', '1'), event('health_status: healthy', 'web1'));
    await expect(published.next()).resolves.toMatchObject({ replicas: ['shop-web-1 healthy', 'shop-web-2 stopping'] });

    docker.emit(event('start', 'web2'));
    await expect(published.next()).resolves.toEqual({ replicas: ['shop-web-1 healthy', 'shop-web-2'], reason: 'container start' });
  });

  it('reads events split across chunks, and logs a malformed one without losing the next', async () => {
    const docker = new FakeDocker(web(1), web(2));
    const { published, messages } = await watching(docker);
    const kill = Buffer.from(`${JSON.stringify(event('kill', 'web2', '15'))}\n`);
    docker.write('{"Type":"container","Action":nope}\n');
    docker.write(kill.subarray(0, 17));
    docker.write(kill.subarray(17));
    await expect(published.next()).resolves.toMatchObject({ replicas: ['shop-web-1', 'shop-web-2 stopping'] });
    expect(messages()).toContain('unparseable docker event');
  });

  it.each<[string, (docker: FakeDocker) => void, string]>([
    ['ends', (docker) => docker.endStream(), 'docker events stream ended; keeping the last known replicas'],
    ['breaks', (docker) => docker.breakStream(), 'docker events stream failed; keeping the last known replicas'],
  ])('when the events stream %s, keeps the last snapshot, reconnects and re-lists', async (_name, cut, warning) => {
    const docker = new FakeDocker(web(1));
    const { source, published, messages } = await watching(docker);
    cut(docker);
    docker.add(web(2));
    expect(source.current().map(describeReplica)).toEqual(['shop-web-1']);

    await expect(published.next()).resolves.toEqual({
      replicas: ['shop-web-1', 'shop-web-2'],
      reason: 'events stream reconnected',
    });
    expect(docker.count('streamEvents')).toBe(2);
    expect(messages()).toEqual(expect.arrayContaining([warning, 'docker events stream reconnected; re-listing replicas']));

    docker.emit(event('stop', 'web1'));
    await expect(published.next()).resolves.toMatchObject({ replicas: ['shop-web-1 stopping', 'shop-web-2'] });
  });

  it('keeps the last snapshot when a re-list fails, and retries', async () => {
    const docker = new FakeDocker(web(1));
    const { source, published, messages } = await watching(docker);
    docker.failNext('listContainerIds').add(web(2)).emit(event('start', 'web2'));
    await docker.waitForCalls('listContainerIds', 2);
    await settle();
    expect(source.current().map(describeReplica)).toEqual(['shop-web-1']);
    expect(messages()).toContain('listing replicas failed; keeping the last known replicas');

    await expect(published.next()).resolves.toEqual({
      replicas: ['shop-web-1', 'shop-web-2'],
      reason: 'retry after failed re-list',
    });
    expect(docker.count('listContainerIds')).toBe(3);
  });

  it.each<[DockerMethod, string]>([
    ['streamEvents', 'events stream reconnected'],
    ['listContainerIds', 'retry after failed re-list'],
  ])('resolves start() without a snapshot when the first %s fails, and publishes once a retry succeeds', async (method, reason) => {
    const docker = new FakeDocker(web(1)).failNext(method);
    const { source, published, started } = watch(docker);
    await started;
    expect(source.current()).toEqual([]);
    await expect(published.next()).resolves.toEqual({ replicas: ['shop-web-1'], reason });
    expect(docker.count(method)).toBe(2);
  });

  it('says once how to fix a stale socket when the daemon keeps refusing connections', async () => {
    const refused = (): Error => Object.assign(new Error('connect ECONNREFUSED /var/run/docker.sock'), { code: 'ECONNREFUSED' });
    const docker = new FakeDocker(web(1));
    for (let i = 0; i < 10; i++) docker.failNext('streamEvents', refused());
    const { published, messages } = watch(docker);
    await expect(published.next()).resolves.toEqual({ replicas: ['shop-web-1'], reason: 'events stream reconnected' });
    const hints = messages().filter((m) => m.includes('bind-mounted socket file is stale'));
    expect(hints).toHaveLength(1);
  });

  it('catches a change Docker sent no event for at the periodic resync', async () => {
    const docker = new FakeDocker(web(1));
    const { published } = await watching(docker, { resyncIntervalMs: 20 });
    docker.add(web(2));
    await expect(published.next()).resolves.toEqual({ replicas: ['shop-web-1', 'shop-web-2'], reason: 'periodic resync' });
  });

  it('logs a skipped container once, not at every re-list', async () => {
    const stray = web(9, { networks: { other_net: { NetworkID: 'n9', IPAddress: '10.9.0.9' } } });
    const docker = new FakeDocker(web(1), stray);
    const { published, messages } = await watching(docker);
    docker.emit(event('start', 'web1'));
    await docker.waitForCalls('listContainerIds', 2);
    await settle();
    expect(published.count).toBe(1);
    expect(messages().filter((m) => m === 'container skipped')).toHaveLength(1);
  });

  it('closes the events stream on stop()', async () => {
    const docker = new FakeDocker(web(1));
    const { source } = await watching(docker);
    source.stop();
    expect(docker.stream.destroyed).toBe(true);
  });

  it('closes an events stream that opens after stop(), instead of watching it forever', async () => {
    // A stream left open would keep the process from exiting after a graceful stop.
    const docker = new FakeDocker(web(1));
    const release = docker.holdStreams();
    const { source } = watch(docker);
    await docker.waitForCalls('streamEvents', 1);
    source.stop();
    release();
    await settle();
    expect(docker.streams).toHaveLength(1);
    expect(docker.stream.destroyed).toBe(true);
    expect(docker.count('listContainerIds')).toBe(0);
  });
});
