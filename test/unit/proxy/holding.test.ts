import { createServer, type AddressInfo, type Socket } from 'node:net';
import { localReplica } from '../support/proxy-harness';
import { scopedServers, statusAndBody, waitUntil } from '../support/scoped-servers';
import { closedPort } from '../support/upstream-server';

/**
 * No ready replica is a wait, not an error: requests are held until one is
 * ready, and stopping replicas still serve what can safely be sent again.
 */

const { upstream, proxy } = scopedServers();
const body = statusAndBody;

async function metric(lb: { stack: { metrics: { registry: { metrics(): Promise<string> } } } }, name: string): Promise<string[]> {
  return (await lb.stack.metrics.registry.metrics()).split('\n').filter((l) => l.startsWith(name));
}

describe('holding requests while no replica is ready', () => {
  it('holds a request until a replica appears, then serves it', async () => {
    const lb = await proxy([]);
    const answer = body(`${lb.url}/`);
    await waitUntil(() => lb.stack.proxy !== undefined && lb.logs.some((l) => l.msg === 'no replica is ready: holding requests'));
    expect(await metric(lb, 'compose_lb_held_requests{')).toEqual(['compose_lb_held_requests{service="web"} 1']);
    const late = await upstream('late');
    lb.setReplicas([localReplica(late.port)], 'container start');
    expect(await answer).toBe('200 late');
    expect(await metric(lb, 'compose_lb_held_requests{')).toEqual(['compose_lb_held_requests{service="web"} 0']);
    expect(await metric(lb, 'compose_lb_hold_duration_seconds_count')).toEqual(['compose_lb_hold_duration_seconds_count{service="web"} 1']);
    expect(lb.logs.filter((l) => l.msg === 'holding ended: no request is waiting for a replica')).toHaveLength(1);
  });

  it('logs holding once for many held requests, not once per request', async () => {
    const lb = await proxy([]);
    const answers = Promise.all(Array.from({ length: 5 }, (_, i) => body(`${lb.url}/${i}`)));
    await waitUntil(() => lb.logs.some((l) => l.msg === 'no replica is ready: holding requests'));
    const late = await upstream('late');
    lb.setReplicas([localReplica(late.port)], 'container start');
    expect(await answers).toEqual(Array(5).fill('200 late'));
    expect(lb.logs.filter((l) => l.msg === 'no replica is ready: holding requests')).toHaveLength(1);
    expect(lb.logs.filter((l) => l.msg === 'holding ended: no request is waiting for a replica')).toHaveLength(1);
  });

  it('answers 503 with Retry-After when the hold runs out', async () => {
    const lb = await proxy([], { holdTimeout: '50ms' });
    const res = await fetch(`${lb.url}/`);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(await res.text()).toBe('no replica of service "web" became available in time\n');
  });

  it('holds a request while its only replica is started but not listening yet, and sends it once it listens', async () => {
    const port = await closedPort();
    const lb = await proxy([localReplica(port)], {}, { waitForReplicas: false });
    const answer = body(`${lb.url}/`);
    await waitUntil(() => lb.logs.some((l) => l.msg === 'no replica is ready: holding requests'));
    expect(lb.replicas.all().map((b) => b.state(Date.now()))).toEqual(['starting']);
    // The replica's server comes up on its port; the boot check's next connection gets in, and so does the request.
    const booted = await upstream('booted', undefined, port);
    expect(await answer).toBe('200 booted');
    expect(booted.seen).toHaveLength(1);
    // The request itself never met a refused connection: it waited for the replica instead.
    expect(lb.logs.filter((l) => l.msg.startsWith('replica failed'))).toEqual([]);
    expect(lb.logs.some((l) => l.msg === 'replica accepts connections' && l.replica === 'web-' + lb.replicas.all()[0]!.replica.number)).toBe(true);
  });

  it('sends a held POST exactly once', async () => {
    const lb = await proxy([]);
    const answer = body(`${lb.url}/orders`, { method: 'POST', body: 'one order' });
    await waitUntil(() => lb.stack.metrics !== undefined && lb.logs.some((l) => l.msg === 'no replica is ready: holding requests'));
    const late = await upstream('late');
    lb.setReplicas([localReplica(late.port)], 'container start');
    expect(await answer).toBe('200 late');
    expect(late.seen.map((r) => `${r.method} ${r.body}`)).toEqual(['POST one order']);
  });

  it('lets a held request go when its client leaves', async () => {
    const lb = await proxy([]);
    const controller = new AbortController();
    const answer = fetch(`${lb.url}/`, { signal: controller.signal }).catch((err: Error) => err.name);
    await waitUntil(() => lb.logs.some((l) => l.msg === 'no replica is ready: holding requests'));
    controller.abort();
    expect(await answer).toBe('AbortError');
    await waitUntil(() => lb.logs.some((l) => l.msg === 'holding ended: no request is waiting for a replica'));
    expect(await metric(lb, 'compose_lb_held_requests{')).toEqual(['compose_lb_held_requests{service="web"} 0']);
  });
});

describe('stopping replicas as a last resort', () => {
  it('sends a GET to a stopping replica far from its kill when nothing is ready', async () => {
    const old = await upstream('old');
    const lb = await proxy([localReplica(old.port, { stopping: true, killAt: Date.now() + 60_000 })]);
    expect(await body(`${lb.url}/`)).toBe('200 old');
  });

  it('never sends a POST to a stopping replica: it is held for a ready one', async () => {
    const old = await upstream('old');
    const lb = await proxy([localReplica(old.port, { stopping: true, killAt: Date.now() + 60_000 })]);
    const answer = body(`${lb.url}/`, { method: 'POST', body: 'x' });
    await waitUntil(() => lb.logs.some((l) => l.msg === 'no replica is ready: holding requests'));
    const fresh = await upstream('fresh');
    lb.setReplicas([localReplica(old.port, { stopping: true, killAt: Date.now() + 60_000 }), localReplica(fresh.port)]);
    expect(await answer).toBe('200 fresh');
    expect(old.seen).toHaveLength(0);
  });

  it('holds rather than use a stopping replica whose kill is near', async () => {
    const old = await upstream('old');
    const lb = await proxy([localReplica(old.port, { stopping: true, killAt: Date.now() + 500 })], { holdTimeout: '100ms' });
    expect(await body(`${lb.url}/`)).toBe('503 no replica of service "web" became available in time\n');
    expect(old.seen).toHaveLength(0);
  });

  it('holds once a stopping replica has refused a connection, and does not try it again', async () => {
    const lb = await proxy([localReplica(await closedPort(), { stopping: true, killAt: Date.now() + 60_000 })], {
      holdTimeout: '300ms',
    });
    expect(await body(`${lb.url}/`)).toBe('503 no replica of service "web" became available in time\n');
    expect(lb.logs.filter((l) => l.msg === 'replica failed; retrying on another')).toHaveLength(1);
  });
});

describe('a replica that closes a connection with the request unread', () => {
  /**
   * Accepts connections and never reads them (paused from the start, the bytes stay in the kernel's
   * buffer), then resets each a moment later, as a server closing an idle connection it never read does.
   */
  async function unreadResetter(): Promise<{ port: number; resets: () => number; close: () => Promise<void> }> {
    let resets = 0;
    const sockets = new Set<Socket>();
    const server = createServer({ pauseOnConnect: true }, (socket) => {
      sockets.add(socket);
      socket.on('error', () => {});
      // Long enough for the balancer, which writes as soon as it is connected, to have sent the request.
      setTimeout(() => {
        resets++;
        socket.resetAndDestroy();
      }, 30);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {
      port: (server.address() as AddressInfo).port,
      resets: () => resets,
      close: async () => {
        for (const s of sockets) s.destroy();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      },
    };
  }

  it('sends a POST again, once: the replica provably never read it', async () => {
    const resetter = await unreadResetter();
    const good = await upstream('good');
    try {
      const lb = await proxy([localReplica(resetter.port), localReplica(good.port)], { strategy: 'round-robin' });
        // The connection that let the replica into rotation is reset too.
      await waitUntil(() => resetter.resets() === 1);
      expect(await body(`${lb.url}/orders`, { method: 'POST', body: 'one order' })).toBe('200 good');
      expect(resetter.resets()).toBe(2);
      expect(good.seen.map((r) => `${r.method} ${r.body}`)).toEqual(['POST one order']);
    } finally {
      await resetter.close();
    }
  });
});
