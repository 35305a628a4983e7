import type { Clock } from './clock';
import { pause } from './wait-for-replicas';

/** Cursor to the top left, then clear the screen: the next frame replaces the last one. */
export const CLEAR_SCREEN = '\x1b[H\x1b[2J';

/** How often `status --watch` redraws: as often as the status page gets a new picture. */
export const WATCH_MS = 1000;

export interface WatchOptions {
  readonly clock: Clock;
  /** The text of one frame, asked anew each time. */
  readonly frame: () => Promise<string>;
  readonly write: (text: string) => void;
  /** Redraw in place (a terminal); else each frame follows the last, a blank line apart, as a log reads. */
  readonly terminal: boolean;
  /** Ends the watch (Ctrl-C); checked after each frame is read and while waiting for the next. */
  readonly signal: AbortSignal;
}

/**
 * Draws a frame every WATCH_MS until the signal fires; the time a frame takes
 * to read counts against the wait, so frames stay a second apart. A frame read
 * when the signal fired is not drawn: the screen keeps the last full one.
 */
export async function watchStatus(opts: WatchOptions): Promise<void> {
  const { clock, signal } = opts;
  for (let first = true; !signal.aborted; first = false) {
    const started = clock.now();
    const text = await opts.frame();
    if (signal.aborted) return;
    opts.write(opts.terminal ? `${CLEAR_SCREEN}${text}` : `${first ? '' : '\n'}${text}`);
    await pause(clock, Math.max(0, WATCH_MS - (clock.now() - started)), signal);
  }
}
