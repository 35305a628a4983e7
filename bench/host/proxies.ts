import type { Cleanup } from '../cleanup';
import { BALANCER_BUNDLE, PLAIN_PROXY_SCRIPT, ROOT } from '../paths';
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
  readonly service: string;
  readonly replicas: number;
  readonly cleanup: Cleanup;
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
      LB_SERVICE: opts.service,
      LB_PROJECT: opts.project,
      LB_NETWORK: opts.network,
      LB_LISTEN_HOST: '127.0.0.1',
      LB_LISTEN_PORT: String(port),
      LB_ADMIN_HOST: '127.0.0.1',
      LB_ADMIN_PORT: String(adminPort),
      LOG_LEVEL: 'warn',
    },
    cleanup: opts.cleanup,
  });
  const adminUrl = `http://127.0.0.1:${adminPort}`;
  await waitUntil(`compose-lb to see ${opts.replicas} ready replica(s)`, async () => {
    const res = await fetch(`${adminUrl}/replicas`, { signal: AbortSignal.timeout(2_000) });
    const doc = (await res.json()) as { ready?: number };
    return doc.ready === opts.replicas ? true : undefined;
  }, 30_000, opts.cleanup.signal).catch(async (err: Error) => {
    await proc.stop();
    throw new Error(`${err.message}; compose-lb said:\n${proc.output()}`);
  });
  return { process: proc, url: `http://127.0.0.1:${port}`, adminUrl };
}

/** The "plain 15-line http-proxy round-robin with a keep-alive agent" (the test fixture), pinned to CPU 1. */
export async function startPlainProxy(upstream: string, cleanup: Cleanup, nodeArgs: readonly string[] = []): Promise<HostProxy> {
  const proc = startPinned({
    name: 'plain http-proxy',
    command: process.execPath,
    args: [...nodeArgs, PLAIN_PROXY_SCRIPT, upstream],
    cwd: ROOT,
    cleanup,
  });
  // The script prints its port once it listens.
  const port = await waitUntil('the plain http-proxy script to print its port', async () => {
    const line = proc.output().split('\n').find((l) => /^\d+$/.test(l.trim()));
    return line === undefined ? undefined : Number(line);
  }, 10_000, cleanup.signal);
  return { process: proc, url: `http://127.0.0.1:${port}` };
}
