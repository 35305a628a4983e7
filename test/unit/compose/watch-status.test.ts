import { CLEAR_SCREEN, watchStatus, WATCH_MS } from '../../../src/runtime/watch-status';
import { FakeClock } from './fake-clock';

// The watch loop alone: frames a second apart on the injected clock, drawn in
// place or one after another, until the signal.

interface Watched {
  written: string[];
  clock: FakeClock;
}

/** Watches frames "frame 1", "frame 2", ... each taking `readMs`; `stopAt(n)` says when to abort. */
async function watch(terminal: boolean, stopAt: (frame: number) => 'during' | 'after' | undefined, readMs = 0): Promise<Watched> {
  const clock = new FakeClock();
  const written: string[] = [];
  const controller = new AbortController();
  let frames = 0;
  await watchStatus({
    clock,
    terminal,
    signal: controller.signal,
    write: (text) => {
      written.push(text);
      if (stopAt(frames) === 'after') controller.abort();
    },
    frame: async () => {
      frames++;
      clock.time += readMs;
      if (stopAt(frames) === 'during') controller.abort();
      return `frame ${frames}\n`;
    },
  });
  return { written, clock };
}

describe('watchStatus', () => {
  it('redraws in place on a terminal, a second apart, until stopped', async () => {
    const { written, clock } = await watch(true, (n) => (n === 3 ? 'after' : undefined));
    expect(written).toEqual([`${CLEAR_SCREEN}frame 1\n`, `${CLEAR_SCREEN}frame 2\n`, `${CLEAR_SCREEN}frame 3\n`]);
    expect(clock.sleeps).toEqual([WATCH_MS, WATCH_MS, WATCH_MS]);
  });

  it('prints frame after frame elsewhere, a blank line apart', async () => {
    const { written } = await watch(false, (n) => (n === 2 ? 'after' : undefined));
    expect(written.join('')).toBe('frame 1\n\nframe 2\n');
  });

  it('counts the time a frame takes to read against the wait', async () => {
    const { clock } = await watch(false, (n) => (n === 2 ? 'after' : undefined), 300);
    expect(clock.sleeps).toEqual([WATCH_MS - 300, WATCH_MS - 300]);
  });

  it('does not draw a frame read while it was stopped', async () => {
    const { written, clock } = await watch(true, (n) => (n === 2 ? 'during' : undefined));
    expect(written).toEqual([`${CLEAR_SCREEN}frame 1\n`]);
    expect(clock.sleeps).toEqual([WATCH_MS]);
  });

  it('ends the wait for the next frame at once when stopped during it', async () => {
    const controller = new AbortController();
    const sleeps: number[] = [];
    // A clock whose sleeps never end: only the signal can end this wait.
    const clock = { now: () => 0, sleep: (ms: number) => (sleeps.push(ms), new Promise<void>(() => undefined)) };
    const written: string[] = [];
    const watching = watchStatus({
      clock,
      terminal: false,
      signal: controller.signal,
      write: (text) => written.push(text),
      frame: async () => 'frame\n',
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(sleeps).toEqual([WATCH_MS]);
    controller.abort();
    await watching;
    expect(written).toEqual(['frame\n']);
  });
});
