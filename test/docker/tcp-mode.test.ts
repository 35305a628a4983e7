import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { BalancerHandle } from './support/balancer';
import { ComposeProject, FIXTURES, fixtureEnv } from './support/compose';
import { describeDocker } from './support/env';
import { waitFor } from './support/wait';

jest.setTimeout(180_000);

/** A Redis connection speaking inline commands, one at a time. */
class RedisClient {
  private pending: { resolve: (line: string) => void; reject: (err: Error) => void } | undefined;
  private buffer = '';
  closed = false;

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      const end = this.buffer.indexOf('\r\n');
      if (end === -1 || this.pending === undefined) return;
      const line = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      this.pending.resolve(line);
      this.pending = undefined;
    });
    const fail = (): void => {
      this.closed = true;
      this.pending?.reject(new Error('connection closed'));
      this.pending = undefined;
    };
    socket.on('close', fail);
    socket.on('error', fail);
  }

  static open(port: number): Promise<RedisClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => resolve(new RedisClient(socket)));
      socket.once('error', reject);
    });
  }

  /** One command; resolves with the first line of the answer. */
  send(command: string): Promise<string> {
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.socket.write(`${command}\r\n`);
    });
  }

  /** The run_id of the Redis server at the other end (INFO server is a bulk reply: read to its end). */
  async runId(): Promise<string> {
    await this.send('INFO server');
    const id = await new Promise<string>((resolve) => {
      const look = (): void => {
        const match = /run_id:([0-9a-f]+)/.exec(this.buffer);
        if (match?.[1] !== undefined) resolve(match[1]);
        else setTimeout(look, 5);
      };
      look();
    });
    this.buffer = '';
    return id;
  }

  close(): void {
    this.socket.destroy();
  }
}

describeDocker('TCP mode with Redis replicas', (flavor) => {
  const project = new ComposeProject(flavor, join(FIXTURES, 'tcp.yaml'), fixtureEnv());

  afterAll(async () => {
    await project.down();
  });

  it('spreads connections over the replicas and loses no command when scaled 1 -> 3 -> 1, but those in flight on a stopped replica', async () => {
    await project.up({ cache: 1 });
    const lb = await BalancerHandle.of(project, 'cache-lb', 6379);
    await lb.waitForReady(1);
    const port = Number(lb.url.split(':').pop());

    // Load: 8 connections, PING after PING; a connection its replica closed is reopened through the balancer.
    let stopping = false;
    const counts = { ok: 0, wrong: 0, lostInFlight: 0, failedConnects: 0 };
    const worker = async (): Promise<void> => {
      while (!stopping) {
        let client: RedisClient;
        try {
          client = await RedisClient.open(port);
        } catch {
          counts.failedConnects++;
          continue;
        }
        while (!stopping && !client.closed) {
          const reply = await client.send('PING').catch(() => undefined);
          if (reply === undefined) counts.lostInFlight++;
          else if (reply === '+PONG') counts.ok++;
          else counts.wrong++;
        }
        client.close();
      }
    };
    const workers = Array.from({ length: 8 }, () => worker());

    await project.up({ cache: 3 });
    await lb.waitForReady(3);
    // New connections go round-robin and reach all three servers (a connection refused by a replica still
    // starting is tried on the next, so it may take a few more than three).
    const ids = new Set<string>();
    for (let i = 0; i < 30 && ids.size < 3; i++) {
      const client = await RedisClient.open(port);
      ids.add(await client.runId());
      client.close();
    }
    expect(ids.size).toBe(3);

    await project.up({ cache: 1 });
    await lb.waitForReady(1);
    const before = counts.ok;
    await waitFor('commands after the scale-down', async () => counts.ok > before + 100);
    stopping = true;
    await Promise.all(workers);

    expect(counts.failedConnects).toBe(0);
    expect(counts.wrong).toBe(0);
    expect(counts.ok).toBeGreaterThan(500);
    // A replica scaled away closes its connections; only a command in flight on one of them is lost.
    expect(counts.lostInFlight).toBeLessThanOrEqual(8 * 2);
  });
});
