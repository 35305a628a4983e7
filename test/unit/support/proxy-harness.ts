import type { Replica } from '../../../src/balancer/replica';
import { parseConfig, type RawOptions } from '../../../src/config';
import { buildProxyStack, type ProxyStack } from '../../../src/serve';
import type { ServiceStack } from '../../../src/service-stack';
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

  /**
   * A balancer of `web` (or of LB_SERVICE's list in `options`), whose first service gets `replicas`.
   * It resolves once they are all in rotation, unless `waitForReplicas` is false (for a replica that
   * does not listen yet).
   */
  static async start(replicas: readonly Replica[], options: RawOptions = {}, { waitForReplicas = true } = {}): Promise<ProxyHarness> {
    const { log, lines } = captureLogs();
    const config = parseConfig({ services: 'web', listenPorts: '1', adminPort: '2', ...options });
    const stack = buildProxyStack(config, log);
    stack.services[0]?.apply(replicas, 'test');
    for (const s of stack.services) s.health.start();
    const { port } = await stack.proxy.listen(0, '127.0.0.1');
    const harness = new ProxyHarness(stack, port, lines);
    if (waitForReplicas) await harness.accepting();
    return harness;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The first service (the only one, in most tests). */
  get web(): ServiceStack {
    return this.service(this.stack.services[0]?.service ?? 'web');
  }

  /** The first service's replica set. */
  get replicas(): ServiceStack['replicas'] {
    return this.web.replicas;
  }

  service(name: string): ServiceStack {
    const found = this.stack.services.find((s) => s.service === name);
    if (found === undefined) throw new Error(`the harness balances no service ${name}`);
    return found;
  }

  /**
   * Resolves once every replica not stopping has accepted the connection that lets it into rotation
   * (BootWatch): that connection is behind the test, which can count the replica's connections from here on.
   */
  async accepting(): Promise<void> {
    const booting = (): boolean =>
      this.stack.services.some((s) => s.replicas.all().some((b) => b.booting && !b.replica.stopping));
    while (booting()) await new Promise((resolve) => setTimeout(resolve, 5));
  }

  /** A new snapshot for a service (the first one by default), as discovery would give it. */
  setReplicas(replicas: readonly Replica[], why = 'test', service = this.web.service): void {
    this.service(service).apply(replicas, why);
  }

  async close(): Promise<void> {
    await this.stack.proxy.shutdown(0);
    for (const s of this.stack.services) s.close();
  }
}
