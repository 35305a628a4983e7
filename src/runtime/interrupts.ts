/** Where Ctrl-C comes from, injected so tests can press it at a chosen step. */
export interface Interrupts {
  /** Calls `handler` on each SIGINT until the returned function is called. */
  onInterrupt(handler: () => void): () => void;
}

/**
 * SIGINT of this process. While a handler is installed Node no longer exits on
 * Ctrl-C, so the command can clean up first and then exit 130 itself.
 */
export const processInterrupts: Interrupts = {
  onInterrupt(handler) {
    process.on('SIGINT', handler);
    return () => process.off('SIGINT', handler);
  },
};
