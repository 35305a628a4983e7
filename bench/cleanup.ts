/** Thrown by anything asked to start once the bench was interrupted. */
export class InterruptedError extends Error {
  readonly code = 'BENCH_INTERRUPTED';
}

/**
 * Everything the bench starts (containers, host processes, the load worker)
 * registers how to undo it here, and it is undone in reverse order: at the end
 * of its scenario, or on Ctrl-C, or when the bench fails.
 */
export class Cleanup {
  private readonly tasks = new Map<number, { readonly what: string; readonly undo: () => Promise<void> }>();
  private next = 0;
  private pass: Promise<void> | undefined;
  private interruptedBy: NodeJS.Signals | undefined;
  private readonly abort = new AbortController();

  /** Aborted on Ctrl-C, so waits give up at once instead of at their deadline. */
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  get interrupted(): boolean {
    return this.interruptedBy !== undefined;
  }

  /** Anything about to start something calls this: after Ctrl-C, nothing new starts. */
  checkNotInterrupted(what: string): void {
    if (this.interruptedBy !== undefined) throw new InterruptedError(`${this.interruptedBy}: not starting ${what}`);
  }

  /** Registers an undo; call the returned function once the thing is undone by other means. */
  add(what: string, undo: () => Promise<void>): () => void {
    const id = this.next++;
    this.tasks.set(id, { what, undo });
    return () => this.tasks.delete(id);
  }

  /** Runs an undo now and forgets it. */
  async run(remove: () => void, undo: () => Promise<void>): Promise<void> {
    remove();
    await undo();
  }

  /**
   * Undoes everything still registered, newest first; failures are reported,
   * never thrown. A call while a pass is under way waits for it, then undoes
   * what was registered since, so the last caller returns with nothing left.
   */
  async runAll(report: (line: string) => void): Promise<void> {
    while (this.pass !== undefined) await this.pass;
    if (this.tasks.size === 0) return;
    this.pass = this.undoAll(report).finally(() => (this.pass = undefined));
    await this.pass;
    if (this.tasks.size > 0) await this.runAll(report);
  }

  private async undoAll(report: (line: string) => void): Promise<void> {
    const pending = [...this.tasks.entries()].sort(([a], [b]) => b - a);
    this.tasks.clear();
    for (const [, task] of pending) {
      try {
        await task.undo();
      } catch (err) {
        report(`cleanup of ${task.what} failed: ${(err as Error).message}`);
      }
    }
  }

  /**
   * On Ctrl-C or SIGTERM: start undoing everything at once, and refuse to start
   * anything new; the bench exits once its own flow has unwound and awaited
   * the cleanup. A second signal, or a cleanup that hangs, exits at once.
   * Returns how to stop listening (and to disarm that exit), for a process that
   * goes on after the bench, such as a test runner.
   */
  onInterrupt(report: (line: string) => void): () => void {
    let deadline: NodeJS.Timeout | undefined;
    const handler = (signal: NodeJS.Signals): void => {
      if (this.interruptedBy !== undefined) {
        report(`${signal} again: exiting without waiting for the cleanup`);
        process.exit(130);
      }
      this.interruptedBy = signal;
      this.abort.abort(new InterruptedError(signal));
      report(`${signal}: stopping and cleaning up what the bench started`);
      void this.runAll(report);
      deadline = setTimeout(() => process.exit(130), 120_000).unref();
    };
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
    return () => {
      clearTimeout(deadline);
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    };
  }
}
