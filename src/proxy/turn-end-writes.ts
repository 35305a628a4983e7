import type { Socket } from 'node:net';

/** Sockets corked in this turn of the event loop, uncorked together when it ends. */
const corked: Socket[] = [];

function flush(): void {
  for (const socket of corked.splice(0)) socket.uncork();
}

/**
 * Writes `data` to a replica once the event loop has handled every event of
 * this turn (in its check phase), instead of at once. Under load one turn
 * brings many requests (the bench counts about 17 per epoll wait), and a
 * replica on the same host is woken by each write: written one by one, each
 * wake may preempt the balancer and send the replica back to sleep after a
 * single request. Written together, the replica finds them all at one wake
 * (ARCHITECTURE.md has the measurement).
 *
 * Order is kept: a corked socket buffers every write until the flush, and
 * `write` still returns false once its buffer is full.
 */
export function writeAtTurnEnd(socket: Socket, data: Buffer): boolean {
  if (corked.length === 0) setImmediate(flush);
  socket.cork();
  corked.push(socket);
  return socket.write(data);
}
