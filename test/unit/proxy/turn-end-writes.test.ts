import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { writeAtTurnEnd } from '../../../src/proxy/turn-end-writes';

const turnEnd = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('writeAtTurnEnd', () => {
  let server: Server;
  const received: Buffer[][] = [];
  const clients: Socket[] = [];

  beforeAll(async () => {
    server = createServer((socket) => {
      const chunks: Buffer[] = [];
      received.push(chunks);
      socket.on('data', (data: Buffer) => chunks.push(data));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    for (let i = 0; i < 2; i++) {
      const socket = connect(port, '127.0.0.1');
      await new Promise((resolve) => socket.once('connect', resolve));
      clients.push(socket);
    }
  });

  afterAll(async () => {
    for (const socket of clients) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('holds the writes of a turn, to every socket, until the turn ends, then sends them in order', async () => {
    const [a, b] = clients as [Socket, Socket];
    writeAtTurnEnd(a, Buffer.from('one '));
    writeAtTurnEnd(b, Buffer.from('other'));
    writeAtTurnEnd(a, Buffer.from('two'));
    // Nothing has gone to the kernel yet: all of it waits in the sockets' buffers.
    expect([a.writableLength, b.writableLength]).toEqual([7, 5]);
    await turnEnd();
    expect([a.writableLength, b.writableLength]).toEqual([0, 0]);
    // Each socket's bytes arrive, in the order written.
    const text = async (socket: Socket, length: number) => {
      const index = clients.indexOf(socket);
      while (Buffer.concat(received[index] ?? []).length < length) await new Promise((resolve) => setTimeout(resolve, 5));
      return Buffer.concat(received[index] ?? []).toString();
    };
    expect(await text(a, 7)).toBe('one two');
    expect(await text(b, 5)).toBe('other');
  });

  it('starts over in the next turn, and a socket destroyed meanwhile is no trouble', async () => {
    const [a] = clients as [Socket, Socket];
    const spare = connect((server.address() as AddressInfo).port, '127.0.0.1');
    await new Promise((resolve) => spare.once('connect', resolve));
    writeAtTurnEnd(spare, Buffer.from('lost'));
    spare.destroy();
    writeAtTurnEnd(a, Buffer.from('!'));
    expect(a.writableLength).toBe(1);
    await turnEnd();
    expect(a.writableLength).toBe(0);
  });
});
