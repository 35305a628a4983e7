import type { Command } from 'commander';
import { request } from 'node:http';
import { OPTIONS, parsePort } from '../config';

/** GETs a path of the local admin endpoint: the image's HEALTHCHECK, and `compose-lb status` via docker exec. */
export function registerProbeCommand(program: Command): void {
  program
    .command('probe')
    .description("GET a path of this container's admin endpoint and print the body; exit 1 unless 2xx")
    .argument('[path]', 'admin path', '/healthz')
    .option('--timeout <ms>', 'give up after', '3000')
    .action(async (path: string, opts: { timeout: string }) => {
      const port = parsePort(process.env[OPTIONS.adminPort.env] ?? OPTIONS.adminPort.default ?? '8081');
      const { status, body } = await get(port, path, Number(opts.timeout));
      process.stdout.write(body);
      if (status < 200 || status > 299) throw new ProbeFailed(`admin endpoint answered ${status}`);
    });
}

export class ProbeFailed extends Error {}

function get(port: number, path: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}
