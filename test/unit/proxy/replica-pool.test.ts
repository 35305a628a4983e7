import type { ConnectionUser, ReplicaConnection } from '../../../src/proxy/upstream/replica-connection';
import { ReplicaPool } from '../../../src/proxy/upstream/replica-pool';
import { scopedServers } from '../support/scoped-servers';

const { rawReplica } = scopedServers();

/**
 * A GET through the pool, as an Exchange makes it; with `slowClient`, each piece of the body pauses
 * the connection, as Exchange.onBody does when the client's socket is full.
 */
function get(pool: ReplicaPool, slowClient: boolean): Promise<'complete'> {
  return new Promise((resolve, reject) => {
    let connection: ReplicaConnection | undefined;
    const user: ConnectionUser = {
      onQueuedConnection: () => {},
      onConnection: (c) => c.sendWhole('GET / HTTP/1.1\r\nHost: r\r\n\r\n', undefined, false),
      onConnectionError: reject,
      onWritable: () => {},
      onHead: () => {},
      onBody: () => (slowClient ? connection?.pause() : undefined),
      onComplete: () => resolve('complete'),
    };
    const got = pool.acquire(user, { head: false }, false);
    if (typeof got !== 'string') connection = got;
  });
}

describe('a kept-alive replica connection', () => {
  it('reads the next response after the last bytes of the one before paused it for a slow client', async () => {
    // Found by test/docker/interop.test.ts: after a 50 MiB download whose last write to the client was
    // refused, the connection went back to the pool paused (Node emits no 'drain' on a response that
    // has ended), and the next request on it waited for its 504.
    const replica = await rawReplica((s) => s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'));
    const pool = new ReplicaPool('127.0.0.1', replica.port, { idleTimeoutMs: 60_000, maxConnections: 0 });
    await get(pool, true);
    expect(await get(pool, false)).toBe('complete');
    expect(replica.heads).toHaveLength(2);
    expect(replica.sockets.size).toBe(1);
  }, 2_000);
});
