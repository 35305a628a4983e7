import { basename } from 'node:path';
import type { Cleanup } from '../cleanup';
import { BALANCER_BUNDLE, ROOT } from '../paths';
import { freePort, startPinned, waitUntil, type HostProcess } from './host-process';

export interface HostProxy {
  readonly process: HostProcess;
  /** Base URL on 127.0.0.1. */
  readonly url: string;
}

export interface BalancerOnHost extends HostProxy {
  readonly adminUrl: string;
}

/**
 * compose-lb as a host process pinned to CPU 1, talking to the replicas on the
 * project network exactly as in its container: with LB_PROJECT and LB_NETWORK
 * set it needs no container of its own (src/docker/identity.ts), and it finds
 * the replicas through Docker as usual.
 */
export async function startBalancerOnHost(opts: {
  readonly project: string;
  readonly network: string;
  /** LB_SERVICE: one service, or several routed by their labels. */
  readonly services: readonly string[];
  /** Ready replicas to wait for, in every service. */
  readonly replicas: number;
  readonly cleanup: Cleanup;
  /** More settings (LB_MODE...); the listen and admin addresses are the bench's. */
  readonly env?: Readonly<Record<string, string>>;
  /** Extra Node flags, e.g. `--cpu-prof`. */
  readonly nodeArgs?: readonly string[];
}): Promise<BalancerOnHost> {
  const [port, adminPort] = [await freePort(), await freePort()];
  const proc = startPinned({
    name: 'compose-lb',
    command: process.execPath,
    args: [...(opts.nodeArgs ?? []), BALANCER_BUNDLE, 'serve'],
    cwd: ROOT,
    env: {
      ...process.env,
      LOG_LEVEL: 'warn',
      ...opts.env,
      LB_SERVICE: opts.services.join(','),
      LB_PROJECT: opts.project,
      LB_NETWORK: opts.network,
      LB_LISTEN_HOST: '127.0.0.1',
      LB_LISTEN_PORT: String(port),
      LB_ADMIN_HOST: '127.0.0.1',
      LB_ADMIN_PORT: String(adminPort),
    },
    cleanup: opts.cleanup,
  });
  const adminUrl = `http://127.0.0.1:${adminPort}`;
  await waitUntil(`compose-lb to see ${opts.replicas} ready replica(s) of ${opts.services.join(', ')}`, async () => {
    const res = await fetch(`${adminUrl}/services`, { signal: AbortSignal.timeout(2_000) });
    const doc = (await res.json()) as { services?: { ready?: number }[] };
    const services = doc.services ?? [];
    return services.length === opts.services.length && services.every((s) => s.ready === opts.replicas) ? true : undefined;
  }, 60_000, opts.cleanup.signal).catch(async (err: Error) => {
    await proc.stop();
    throw new Error(`${err.message}; compose-lb said:\n${proc.output()}`);
  });
  return { process: proc, url: `http://127.0.0.1:${port}`, adminUrl };
}

/**
 * A reference proxy from test/fixtures/proxies (the "plain 15-line
 * http-proxy round-robin with a keep-alive agent", the minimal undici proxy),
 * pinned to CPU 1.
 */
export async function startScriptProxy(
  script: string,
  upstream: string,
  cleanup: Cleanup,
  nodeArgs: readonly string[] = [],
): Promise<HostProxy> {
  const name = basename(script, '.js');
  const proc = startPinned({ name, command: process.execPath, args: [...nodeArgs, script, upstream], cwd: ROOT, cleanup });
  // The script prints its port once it listens.
  const port = await waitUntil(`${name} to print its port`, async () => {
    const line = proc.output().split('\n').find((l) => /^\d+$/.test(l.trim()));
    return line === undefined ? undefined : Number(line);
  }, 10_000, cleanup.signal);
  return { process: proc, url: `http://127.0.0.1:${port}` };
}
