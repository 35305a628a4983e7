import { request } from 'node:http';
import type { Probe } from '../balancer/active-health';

/** GET a replica's health path: 2xx and 3xx pass; errors, other statuses and timeouts fail. */
export const httpProbe: Probe = (replica, path, timeoutMs) =>
  new Promise((resolve) => {
    const req = request(
      { host: replica.host, port: replica.port, path, method: 'GET', agent: false, timeout: timeoutMs, headers: { 'user-agent': 'compose-lb-health' } },
      (res) => {
        res.resume();
        const status = res.statusCode ?? 0;
        resolve(status >= 200 && status < 400 ? undefined : `GET ${path} answered ${status}`);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (err) => resolve(`GET ${path} failed: ${err.message}`));
    req.end();
  });
