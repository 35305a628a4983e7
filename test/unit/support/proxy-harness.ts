import type { Replica } from '../../../src/balancer/replica';
import { parseConfig, type RawOptions } from '../../../src/config';
import { buildProxyStack, type ProxyStack } from '../../../src/serve';
import { captureLogs, type LogLine } from './log-capture';

let nextId = 0;

/** A replica record for a test server on 127.0.0.1. */
export function localReplica(port: number, overrides: Partial<Replica> = {}): Replica {
  nextId++;
  return {
    id: `${String(nextId).padStart(4, '0')}${'a'.repeat(60)}`,
    name: `web-${nextId}`,
    number: nextId,
    host: '127.0.0.1',
    port,
    health: 'none',
    stopSignal: 15,
    stopping: false,
    stopTimeoutMs: 10_000,
    ...overrides,
  };
}

/**
 * The production proxy stack (replica set, picker, proxy server) without
 * Docker: the test sets the replicas, and talks to the proxy on a real port.
 */
export class ProxyHarness {
  private constructor(
    readonly stack: ProxyStack,
    readonly port: number,
    readonly logs: LogLine[],
  ) {}

  static async start(replicas: readonly Replica[], options: RawOptions = {}): Promise<ProxyHarness> {
    const { log, lines } = captureLogs();
    const config = parseConfig({ service: 'web', listenPort: '1', adminPort: '2', ...options });
    const stack = buildProxyStack(config, log);
    stack.replicas.apply(replicas, 'test');
    stack.health.start();
    const { port } = await stack.proxy.listen(0, '127.0.0.1');
    return new ProxyHarness(stack, port, lines);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  setReplicas(replicas: readonly Replica[], why = 'test'): void {
    this.stack.replicas.apply(replicas, why);
    this.stack.health.probePending();
  }

  async close(): Promise<void> {
    this.stack.health.stop();
    await this.stack.proxy.shutdown(0);
    for (const backend of this.stack.replicas.all()) backend.resources.close();
  }
}
