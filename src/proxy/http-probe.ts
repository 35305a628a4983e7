import { request } from 'node:http';
import type { Probe } from '../balancer/active-health';

/** GET a replica's health path: 2xx and 3xx pass; errors, other statuses and timeouts fail. */
export const httpProbe: Probe = (replica, path, timeoutMs) =>
  new Promise((resolve) => {
    const req = request(
      { host: replica.host, port: replica.port, path, method: 'GET', agent: false, headers: { 'user-agent': 'compose-lb-health' } },
      (res) => {
        res.resume();
        const status = res.statusCode ?? 0;
        resolve(status >= 200 && status < 400 ? undefined : `GET ${path} answered ${status}`);
      },
    );
    // One deadline for the whole probe, connection closed at it. The `timeout` option only bounds a
    // silence: a replica trickling its answer would pass, and a body that never ends keep the socket.
    const deadline = setTimeout(() => req.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    req.once('close', () => clearTimeout(deadline));
    req.on('error', (err) => resolve(`GET ${path} failed: ${err.message}`));
    req.end();
  });
