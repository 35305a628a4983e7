import type { Socket } from 'node:net';
import type { BackendResources } from '../balancer/backend';

/**
 * A replica's side of TCP mode: its open connections (closed when the replica
 * goes), and the bytes that went each way, for the metrics.
 */
export class TcpReplica implements BackendResources {
  private readonly sockets = new Set<Socket>();
  opened = 0;
  failed = 0;
  /** Bytes of connections already closed; open ones are read live. */
  private closedIn = 0;
  private closedOut = 0;

  constructor(
    readonly host: string,
    readonly port: number,
  ) {}

  get open(): number {
    return this.sockets.size;
  }

  get bytesFromReplica(): number {
    let total = this.closedIn;
    for (const socket of this.sockets) total += socket.bytesRead;
    return total;
  }

  get bytesToReplica(): number {
    let total = this.closedOut;
    for (const socket of this.sockets) total += socket.bytesWritten;
    return total;
  }

  /** Follows an upstream connection until it closes, counting its bytes. */
  track(upstream: Socket): void {
    this.opened++;
    this.sockets.add(upstream);
    upstream.once('close', () => {
      this.sockets.delete(upstream);
      this.closedIn += upstream.bytesRead;
      this.closedOut += upstream.bytesWritten;
    });
  }

  /** Stopping: open connections run until the replica closes them; new ones go elsewhere. */
  drain(): void {}

  /** The replica is gone: its connections are dead anyway. */
  close(): void {
    for (const socket of this.sockets) socket.destroy();
  }
}
