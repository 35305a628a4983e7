import { Backend, type BackendResources } from '../../../src/balancer/backend';
import type { Replica } from '../../../src/balancer/replica';

/** A ready replica named `name`; its ID is the name, its address 10.0.0.<number>. */
export function replica(name: string, overrides: Partial<Replica> = {}): Replica {
  const number = overrides.number ?? 1;
  return {
    id: name,
    name,
    number,
    host: `10.0.0.${number}`,
    port: 80,
    health: 'none',
    stopSignal: 15,
    stopping: false,
    stopTimeoutMs: 10_000,
    ...overrides,
  };
}

/** Resources that write what is done to them into a shared journal (`drain web-1`, `close web-1`). */
export class RecordingResources implements BackendResources {
  constructor(
    private readonly name: string,
    private readonly journal: string[],
  ) {}

  drain(): void {
    this.journal.push(`drain ${this.name}`);
  }

  close(): void {
    this.journal.push(`close ${this.name}`);
  }
}

/** Puts `n` requests in flight on a backend, through its own counter. */
export function withInflight<B extends Backend>(backend: B, n: number): B {
  while (backend.inflight > 0) backend.end();
  for (let i = 0; i < n; i++) backend.begin();
  return backend;
}

/** Backends for picker tests: one per letter of `names`, with no resources to speak of. */
export function backends(names: string): Map<string, Backend> {
  const none: BackendResources = { drain: () => {}, close: () => {} };
  return new Map([...names].map((name, i) => [name, new Backend(replica(name, { number: i + 1 }), none)]));
}
