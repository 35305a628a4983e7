import type { AddressInfo, Server } from 'node:net';

/** `server.listen` as a promise that rejects on EADDRINUSE and the like. */
export async function listenOn(server: Server, port: number, host?: string): Promise<AddressInfo> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server.address() as AddressInfo;
}
