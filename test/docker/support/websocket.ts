import { connect, type Socket } from 'node:net';

const HANDSHAKE =
  'GET /ws HTTP/1.1\r\nHost: demo\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n';

/**
 * Opens a WebSocket to the demo app (through the balancer, or straight to a replica); resolves with
 * the socket, the replica that accepted it and the handshake's response head.
 */
export function openWebSocket(port: number, host = '127.0.0.1'): Promise<{ socket: Socket; replica: string; head: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, host, () => socket.write(HANDSHAKE));
    let head = '';
    const onData = (chunk: Buffer): void => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      if (!head.startsWith('HTTP/1.1 101')) return reject(new Error(`handshake refused: ${head}`));
      resolve({ socket, replica: /X-Replica: (\S+)/i.exec(head)?.[1] ?? '', head });
    };
    socket.on('data', onData);
    socket.on('error', reject);
  });
}
