import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/** What a raw replica does with one request head (`index` counts requests across connections). */
export type RawAnswer = (socket: Socket, head: string, index: number) => void;

/**
 * A replica on 127.0.0.1, port 0, that answers with bytes the test writes
 * itself: for responses Node's own HTTP server would never send (bad status
 * lines, bodies after a 204, a 101 nobody asked for).
 */
export class RawReplica {
  readonly sockets = new Set<Socket>();
  /** Request heads received, in order. */
  readonly heads: string[] = [];

  private constructor(private readonly server: Server) {}

  static async start(answer: RawAnswer): Promise<RawReplica> {
    const server = createServer();
    const replica = new RawReplica(server);
    server.on('connection', (socket: Socket) => replica.accept(socket, answer));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return replica;
  }

  /** Called for every connection the replica accepts. */
  onConnection(listener: () => void): void {
    this.server.on('connection', listener);
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  private accept(socket: Socket, answer: RawAnswer): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    socket.on('error', () => {});
    let buffered = '';
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      // Request heads only: these tests send no request bodies to a raw replica.
      for (let end = buffered.indexOf('\r\n\r\n'); end !== -1; end = buffered.indexOf('\r\n\r\n')) {
        const head = buffered.slice(0, end + 4);
        buffered = buffered.slice(end + 4);
        this.heads.push(head);
        answer(socket, head, this.heads.length - 1);
      }
    });
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
