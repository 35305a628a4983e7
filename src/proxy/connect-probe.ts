import { connect } from 'node:net';
import type { ConnectCheck } from '../balancer/boot-watch';

/** A TCP connection to a replica, closed as soon as it is open: does anything listen there? */
export const connectProbe: ConnectCheck = (host, port, timeoutMs) =>
  new Promise((resolve) => {
    const socket = connect({ host, port });
    const deadline = setTimeout(() => socket.destroy(new Error(`no connection within ${timeoutMs} ms`)), timeoutMs);
    socket.once('connect', () => {
      clearTimeout(deadline);
      socket.destroy();
      resolve(undefined);
    });
    socket.once('error', (err) => {
      clearTimeout(deadline);
      resolve(err.message);
    });
  });
