import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { parseConfig } from '../../../src/config';
import { TcpService } from '../../../src/tcp/tcp-service';
import { localReplica } from '../support/proxy-harness';
import { captureLogs } from '../support/log-capture';

/** A replica speaking a line protocol of its own: it answers each line with its name and the line. */
async function lineServer(name: string): Promise<{ port: number; connections: () => number; close(): Promise<void> }> {
  let connections = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('data', (data: Buffer) => socket.write(`${name}:${data.toString().trim()}\n`));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => connections,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Opens a connection through the balancer, sends a line, resolves with the answer line. */
function ask(port: number, line: string): Promise<{ answer: string; socket: Socket }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(`${line}\n`));
    socket.once('data', (data: Buffer) => resolve({ answer: data.toString().trim(), socket }));
    socket.once('error', reject);
  });
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Resolves once every replica has accepted the connection that lets it into rotation. */
async function accepting(service: TcpService): Promise<void> {
  while (service.replicas.all().some((b) => b.booting)) await new Promise((resolve) => setTimeout(resolve, 5));
}

async function tcpBalancer(options: Record<string, string> = {}): Promise<{ service: TcpService; port: number }> {
  const config = parseConfig({ services: 'cache', mode: 'tcp', listenPorts: '1', adminPort: '2', ...options });
  const service = new TcpService('cache', config, captureLogs().log, () => setImmediate(() => service.holding.wakeAll()));
  const { port } = await service.listen(0, '127.0.0.1');
  const ticker = setInterval(() => service.tick(performance.now()), 10);
  cleanups.push(() => {
    clearInterval(ticker);
    service.close();
  });
  return { service, port };
}

/**
 * `server` as the only replica of a TCP balancer: a client sends `data` through it and half-closes,
 * and this resolves with everything that came back before the replica's end.
 */
async function sendThrough(server: Server, data: Buffer): Promise<Buffer> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { service, port } = await tcpBalancer();
  service.apply([localReplica((server.address() as AddressInfo).port)], 'test');
  await accepting(service);
  return new Promise<Buffer>((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: true }, () => socket.end(data));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => resolve(Buffer.concat(chunks)));
    socket.on('error', reject);
  });
}

describe('TCP mode', () => {
  it('balances connections round-robin, passing bytes both ways unread', async () => {
    const [a, b] = [await lineServer('a'), await lineServer('b')];
    cleanups.push(a.close, b.close);
    const { service, port } = await tcpBalancer();
    service.apply([localReplica(a.port), localReplica(b.port)], 'test');
    await accepting(service);
    const answers: string[] = [];
    for (let i = 0; i < 4; i++) {
      const { answer, socket } = await ask(port, `PING ${i}`);
      answers.push(answer);
      socket.destroy();
    }
    expect(answers).toEqual(['a:PING 0', 'b:PING 1', 'a:PING 2', 'b:PING 3']);
  });

  it("passes the client's half-close on, and the replica's answer still comes back", async () => {
    // A replica that answers only once the client has said all it will (as some protocols do).
    const server = createServer({ allowHalfOpen: true }, (socket) => {
      const chunks: Buffer[] = [];
      socket.on('data', (data: Buffer) => chunks.push(data));
      socket.on('end', () => socket.end(`got ${Buffer.concat(chunks).length} bytes\n`));
    });
    const answer = await sendThrough(server, Buffer.from('x'.repeat(1000)));
    expect(answer.toString()).toBe('got 1000 bytes\n');
  });

  it('relays many megabytes each way intact to a replica that reads slowly', async () => {
    const size = 16 * 1024 * 1024;
    const upload = Buffer.alloc(size);
    for (let i = 0; i < size; i++) upload[i] = (i * 7 + (i >> 12)) & 0xff;
    // The replica stops reading for a while at the start, so the balancer's writes to it back up.
    const server = createServer((socket) => {
      socket.pause();
      setTimeout(() => socket.resume(), 200);
      socket.on('data', (data: Buffer) => socket.write(data));
      socket.on('end', () => socket.end());
    });
    const echoed = await sendThrough(server, upload);
    expect(echoed.length).toBe(size);
    expect(echoed.equals(upload)).toBe(true);
  });

  it('tries another replica when one refuses the connection (nothing was sent yet)', async () => {
    const [crashed, good] = [await lineServer('crashed'), await lineServer('good')];
    cleanups.push(good.close);
    const { service, port } = await tcpBalancer();
    service.apply([localReplica(crashed.port), localReplica(good.port)], 'test');
    await accepting(service);
    // Its process dies, its container lives on: Docker says nothing.
    await crashed.close();
    for (let i = 0; i < 3; i++) {
      const { answer, socket } = await ask(port, 'x');
      expect(answer).toBe('good:x');
      socket.destroy();
    }
    expect(service.replicas.all()[0]?.resources.failed).toBeGreaterThan(0);
  });

  it('holds a client while no replica is ready, and connects it when one is', async () => {
    const { service, port } = await tcpBalancer();
    const pending = ask(port, 'early');
    const late = await lineServer('late');
    cleanups.push(late.close);
    service.apply([localReplica(late.port)], 'container start');
    const { answer, socket } = await pending;
    expect(answer).toBe('late:early');
    socket.destroy();
  });

  it('gives a stopping replica no new connection, and lets its open one run', async () => {
    const [old, fresh] = [await lineServer('old'), await lineServer('new')];
    cleanups.push(old.close, fresh.close);
    const { service, port } = await tcpBalancer();
    const [r1, r2] = [localReplica(old.port), localReplica(fresh.port)];
    service.apply([r1], 'test');
    const open = await ask(port, 'first');
    service.apply([{ ...r1, stopping: true }, r2], 'kill (signal 15)');
    const next = await ask(port, 'second');
    expect(next.answer).toBe('new:second');
    // The connection to the stopping replica still carries bytes.
    const again = new Promise<string>((resolve) => open.socket.once('data', (d: Buffer) => resolve(d.toString().trim())));
    open.socket.write('still here\n');
    expect(await again).toBe('old:still here');
    open.socket.destroy();
    next.socket.destroy();
  });

  it('counts connections and bytes per replica for the metrics', async () => {
    const a = await lineServer('a');
    cleanups.push(a.close);
    const { service, port } = await tcpBalancer();
    service.apply([localReplica(a.port)], 'test');
    const { socket } = await ask(port, 'hello');
    const replica = service.replicas.all()[0]!.resources;
    expect([replica.opened, replica.open, replica.bytesToReplica, replica.bytesFromReplica]).toEqual([1, 1, 6, 8]);
    socket.destroy();
  });
});
