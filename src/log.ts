import pino, { type Logger } from 'pino';
import type { LogLevel } from './config';

export interface AppLogger {
  readonly log: Logger;
  /** Writes out what the asynchronous destination still buffers; call before exiting. */
  readonly flush: () => void;
}

/**
 * JSON lines on stdout. The destination is asynchronous so that logging on the
 * request path (access log, upstream errors) never blocks the event loop.
 */
export function createLogger(level: LogLevel): AppLogger {
  const destination = pino.destination({ dest: 1, sync: false });
  const log = pino(
    {
      level,
      base: { name: 'compose-lb' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
  return { log, flush: () => destination.flushSync() };
}
