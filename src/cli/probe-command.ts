import type { Command } from 'commander';
import { request } from 'node:http';
import { OPTIONS, parsePort } from '../config';

/** Asks the local admin endpoint: the image's HEALTHCHECK, and `compose-lb status`, `drain`, `rollout` via docker exec. */
export function registerProbeCommand(program: Command): void {
  program
    .command('probe')
    .description("ask this container's admin endpoint (GET, or --method POST) and print the body; exit 1 unless 2xx")
    .argument('[path]', 'admin path', '/healthz')
    .option('--timeout <ms>', 'give up after', '3000')
    .option('--method <method>', 'GET, or POST for the paths that change state (drain, undrain)', 'GET')
    .option('--port <port>', 'the port to ask (default: LB_ADMIN_PORT; discovery listens on 8082)')
    .action(async (path: string, opts: { timeout: string; method: string; port?: string }) => {
      const port = parsePort(opts.port ?? process.env[OPTIONS.adminPort.env] ?? OPTIONS.adminPort.default ?? '8081');
      const { status, body } = await ask(port, opts.method.toUpperCase(), path, Number(opts.timeout));
      process.stdout.write(body);
      if (status < 200 || status > 299) throw new ProbeFailed(`admin endpoint answered ${status}`);
    });
}

export class ProbeFailed extends Error {}

function ask(port: number, method: string, path: string, timeoutMs: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, timeout: timeoutMs }, (res) => {
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
