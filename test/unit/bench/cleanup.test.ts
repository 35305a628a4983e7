import { Cleanup, InterruptedError } from '../../../bench/cleanup';

describe('Cleanup', () => {
  it('undoes everything newest first, and reports failures without stopping', async () => {
    const cleanup = new Cleanup();
    const done: string[] = [];
    cleanup.add('network', async () => void done.push('network'));
    cleanup.add('container', async () => {
      done.push('container');
      throw new Error('already gone');
    });
    cleanup.add('process', async () => void done.push('process'));
    const reports: string[] = [];
    await cleanup.runAll((line) => reports.push(line));
    expect(done).toEqual(['process', 'container', 'network']);
    expect(reports).toEqual(['cleanup of container failed: already gone']);
    await cleanup.runAll(() => undefined);
    expect(done).toHaveLength(3);
  });

  it('forgets what was undone by other means', async () => {
    const cleanup = new Cleanup();
    const done: string[] = [];
    const forget = cleanup.add('a', async () => void done.push('a'));
    const forgetB = cleanup.add('b', async () => void done.push('b'));
    forget();
    await cleanup.run(forgetB, async () => void done.push('b by hand'));
    await cleanup.runAll(() => undefined);
    expect(done).toEqual(['b by hand']);
  });
});

describe('Cleanup while a pass is under way (Ctrl-C)', () => {
  it('makes a second caller wait for the pass, then undo what was registered since', async () => {
    const cleanup = new Cleanup();
    const done: string[] = [];
    let release: () => void = () => undefined;
    const slow = new Promise<void>((resolve) => (release = resolve));
    cleanup.add('compose project', async () => {
      await slow;
      done.push('compose project');
    });
    const first = cleanup.runAll(() => undefined);
    cleanup.add('process started meanwhile', async () => void done.push('process'));
    let secondDone = false;
    const second = cleanup.runAll(() => undefined).then(() => (secondDone = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(secondDone).toBe(false);
    release();
    await Promise.all([first, second]);
    expect(done).toEqual(['compose project', 'process']);
  });

  it('refuses to start anything once interrupted, and stops listening when told', () => {
    const cleanup = new Cleanup();
    expect(() => cleanup.checkNotInterrupted('a load run')).not.toThrow();
    const before = process.listenerCount('SIGINT');
    // The handler arms a real exit timer: fake timers keep it from firing in
    // this test process, which goes on running other suites.
    jest.useFakeTimers();
    const exit = jest.spyOn(process, 'exit').mockImplementation(() => undefined as never);
    const stop = cleanup.onInterrupt(() => undefined);
    try {
      expect(process.listenerCount('SIGINT')).toBe(before + 1);
      process.emit('SIGINT', 'SIGINT');
      expect(cleanup.interrupted).toBe(true);
      expect(() => cleanup.checkNotInterrupted('a load run')).toThrow(InterruptedError);
      expect(exit).not.toHaveBeenCalled();
      stop();
      jest.advanceTimersByTime(120_000);
      expect(exit).not.toHaveBeenCalled();
      expect(process.listenerCount('SIGINT')).toBe(before);
    } finally {
      stop();
      exit.mockRestore();
      jest.useRealTimers();
    }
  });
});
