import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A request as a test replica received it. */
export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly rawHeaders: readonly string[];
  readonly body: string;
}

/** A replica stand-in on 127.0.0.1, port 0, that records what reached it. */
export class UpstreamServer {
  readonly seen: SeenRequest[] = [];
  readonly sockets = new Set<Socket>();
  private constructor(
    readonly server: Server,
    readonly port: number,
  ) {}

  /**
   * Starts a server; `handler` answers after the body has been read (default: 200 with its name).
   * `port` 0 picks a free one; a given port is one a test freed (a replica coming up where it refused).
   */
  static async start(
    name: string,
    handler?: (req: IncomingMessage, res: ServerResponse, body: string) => void,
    port = 0,
  ): Promise<UpstreamServer> {
    let self: UpstreamServer | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        self?.seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, rawHeaders: req.rawHeaders, body });
        if (handler) return handler(req, res, body);
        res.writeHead(200, { 'content-type': 'text/plain', 'x-replica': name });
        res.end(name);
      });
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    self = new UpstreamServer(server, (server.address() as AddressInfo).port);
    const tracked = self;
    server.on('connection', (socket: Socket) => {
      tracked.sockets.add(socket);
      socket.once('close', () => tracked.sockets.delete(socket));
    });
    return self;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A port on 127.0.0.1 where nothing listens (connections are refused). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
