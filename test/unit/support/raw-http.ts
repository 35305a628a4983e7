import { connect, type Socket } from 'node:net';

/**
 * Sends bytes exactly as given and resolves with every byte the server sent
 * back until it closed the connection. Requests should say `Connection: close`
 * (or be refused) so the server ends the exchange.
 */
export function sendRaw(port: number, data: string | Buffer, host = '127.0.0.1'): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, host);
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      // A server may reset after answering a bad request: what it sent still counts.
      if (err.code === 'ECONNRESET' && chunks.length > 0) resolve(Buffer.concat(chunks).toString('latin1'));
      else reject(err);
    });
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.write(data);
  });
}

/** The status codes of every response in a raw byte stream (pipelined responses included). */
export function statuses(raw: string): number[] {
  return [...raw.matchAll(/HTTP\/1\.[01] (\d{3}) /g)].map((m) => Number(m[1]));
}

/** Opens a connection and resolves once connected. */
export function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Resolves when the socket has received at least `text`. */
export function readUntil(socket: Socket, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let received = '';
    const onData = (c: Buffer): void => {
      received += c.toString('latin1');
      if (received.includes(text)) {
        socket.off('data', onData);
        resolve(received);
      }
    };
    socket.on('data', onData);
    socket.once('close', () => reject(new Error(`closed before "${text}"; got: ${received}`)));
  });
}

/** Resolves when a socket has closed, whether or not it errored first (events.once would reject). */
export function closed(socket: Socket): Promise<void> {
  if (socket.destroyed) return Promise.resolve();
  socket.on('error', () => {});
  return new Promise((resolve) => socket.once('close', () => resolve()));
}
