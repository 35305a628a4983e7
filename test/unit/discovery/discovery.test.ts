import type { AddressInfo } from 'node:net';
import type { Snapshot } from '../../../src/balancer/replica';
import { DiscoveryFeed } from '../../../src/discovery/discovery-feed';
import { DiscoveryServer } from '../../../src/discovery/discovery-server';
import { parseWatchQuery, watchQuery } from '../../../src/discovery/protocol';
import { SseParser } from '../../../src/discovery/sse-parser';
import { container, PROJECT } from '../fakes/container-json';
import { FakeDocker } from '../fakes/fake-docker';
import { captureLogs } from '../support/log-capture';
import { waitUntil } from '../support/scoped-servers';

const BALANCER_ID = 'b'.repeat(64);
const balancer = container({ id: BALANCER_ID, service: 'lb', name: '/shop-lb-1', number: 1 });
const web = (n: number) => container({ id: `${n}`.repeat(64).slice(0, 64), number: n });

describe('SseParser', () => {
  it('reads events however the stream is cut, joining data lines and skipping comments', () => {
    const stream = 'event: hello\ndata: {"v":1}\n\n: ping\n\nevent: snapshot\ndata: a\ndata: b\r\n\r\ndata: plain\n\n';
    for (let cut = 0; cut <= stream.length; cut++) {
      const parser = new SseParser();
      const events = [...parser.push(stream.slice(0, cut)), ...parser.push(stream.slice(cut))];
      expect(events).toEqual([
        { event: 'hello', data: '{"v":1}' },
        { event: 'snapshot', data: 'a\nb' },
        { event: 'message', data: 'plain' },
      ]);
    }
  });
});

describe('the watch request', () => {
  it('round-trips through its query string', () => {
    const req = { services: ['web', 'api'], self: ['abc', BALANCER_ID], project: 'shop', network: undefined, targetPort: 8080 };
    expect(parseWatchQuery(new URL(watchQuery(req), 'http://d').searchParams)).toEqual(req);
  });

  it.each(['services=', 'services=a b', 'services=web&targetPort=99999'])('refuses %s', (query) => {
    expect(typeof parseWatchQuery(new URLSearchParams(query))).toBe('string');
  });
});

describe('discovery and a balancer that follows it', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => {
    for (const c of cleanups.splice(0).reverse()) c();
  });

  async function startDiscovery(docker: FakeDocker): Promise<{ server: DiscoveryServer; url: string }> {
    const server = new DiscoveryServer({ docker, platform: 'compose', log: captureLogs().log, resyncIntervalMs: 60_000 });
    await new Promise<void>((resolve) => server.server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => server.close());
    return { server, url: `http://127.0.0.1:${(server.server.address() as AddressInfo).port}` };
  }

  function follow(url: string, snapshots: Map<string, Snapshot>): DiscoveryFeed {
    const feed = new DiscoveryFeed({
      url,
      services: ['web'],
      project: undefined,
      network: undefined,
      targetPort: undefined,
      host: { hostname: BALANCER_ID.slice(0, 12), mountinfo: '' },
      log: captureLogs().log,
      backoff: { initialMs: 10, maxMs: 20 },
    });
    cleanups.push(() => feed.stop());
    void feed.start((service, snapshot) => snapshots.set(service, snapshot));
    return feed;
  }

  it("serves the balancer's services' replicas, found through the balancer's own container, and follows changes", async () => {
    const docker = new FakeDocker(balancer, web(1), web(2));
    const { url } = await startDiscovery(docker);
    const snapshots = new Map<string, Snapshot>();
    const feed = follow(url, snapshots);
    await waitUntil(() => snapshots.get('web')?.length === 2);
    expect(feed.project).toBe(PROJECT);
    expect(feed.status()).toMatchObject({ source: 'discovery', connected: true });

    // A kill drains at once, through discovery, without waiting for a re-list.
    docker.emit({ Type: 'container', Action: 'kill', Actor: { ID: web(2).Id, Attributes: { signal: '15' } } });
    await waitUntil(() => snapshots.get('web')?.find((r) => r.id === web(2).Id)?.stopping === true);
  });

  it('keeps the last view while discovery is away, says so, and resyncs when it is back', async () => {
    const docker = new FakeDocker(balancer, web(1));
    const first = await startDiscovery(docker);
    const snapshots = new Map<string, Snapshot>();
    const feed = follow(first.url, snapshots);
    await waitUntil(() => snapshots.get('web')?.length === 1);

    first.server.close();
    await waitUntil(() => !feed.status().connected);
    expect(snapshots.get('web')).toHaveLength(1);

    // Back on the same port, with a replica more: the balancer reconnects and gets the full snapshot.
    docker.add(web(2));
    const port = Number(new URL(first.url).port);
    const again = new DiscoveryServer({ docker, platform: 'compose', log: captureLogs().log, resyncIntervalMs: 60_000 });
    await new Promise<void>((resolve) => again.server.listen(port, '127.0.0.1', resolve));
    cleanups.push(() => again.close());
    await waitUntil(() => feed.status().connected && snapshots.get('web')?.length === 2);
  });

  it('answers 503 with advice, and says it in its own log, when Docker refuses it (the socket\'s group)', async () => {
    const docker = new FakeDocker(balancer, web(1));
    const denied = Object.assign(new Error('connect EACCES /var/run/docker.sock'), { code: 'EACCES' });
    docker.failNext('inspectContainer', denied);
    const logs = captureLogs();
    const server = new DiscoveryServer({
      docker,
      platform: 'compose',
      log: logs.log,
      resyncIntervalMs: 60_000,
      advise: (err) => (err.code === 'EACCES' ? 'give its service the socket\'s group' : undefined),
    });
    await new Promise<void>((resolve) => server.server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => server.close());
    const url = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
    const refused = await fetch(`${url}/v1/watch?services=web&self=${BALANCER_ID}`);
    expect(refused.status).toBe(503);
    expect(await refused.json()).toEqual({ error: "give its service the socket's group" });
    expect(logs.lines.find((l) => l.level === 50)?.msg).toBe("give its service the socket's group");
  });

  it('answers a balancer it cannot place with an error for its log, and serves nothing else', async () => {
    const docker = new FakeDocker(web(1));
    const { url } = await startDiscovery(docker);
    const refused = await fetch(`${url}/v1/watch?services=web&self=nosuchcontainer`);
    expect(refused.status).toBe(404);
    expect(((await refused.json()) as { error: string }).error).toMatch(/LB_PROJECT is required/);
    expect((await fetch(`${url}/containers/json`)).status).toBe(404);
    expect((await fetch(`${url}/v1/watch?services=web`, { method: 'POST' })).status).toBe(405);
  });
});
