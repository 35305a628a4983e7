import type { Interrupts } from '../../../src/runtime/interrupts';

/** Ctrl-C on demand: `press()` calls the handlers installed at that moment. */
export class FakeInterrupts implements Interrupts {
  private readonly handlers = new Set<() => void>();

  onInterrupt(handler: () => void): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  press(): void {
    for (const handler of this.handlers) handler();
  }

  get listening(): number {
    return this.handlers.size;
  }
}
