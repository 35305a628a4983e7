import { spawn } from 'node:child_process';
import type { Cleanup } from '../cleanup';
import { checkLoadTarget } from './load-target';
import type { FromWorker, LoadJob, LoadResult, ToWorker } from './load-types';

export interface LoadRunOptions {
  readonly cleanup: Cleanup;
  /** Container addresses on the bench's own networks; 127.0.0.1 is always allowed. */
  readonly ownAddresses: ReadonlySet<string>;
  /** The load is stopped after this, whatever the job says: every run is bounded in time. */
  readonly deadlineSec: number;
  readonly onProgress?: (requests: number, elapsedSec: number) => void;
}

export interface LoadRun {
  readonly result: Promise<LoadResult>;
  /** Ends the load early (autocannon stops and reports what it has). */
  stop(): void;
  /** Starts a new phase of the result here (see PhaseRecorder). */
  mark(phase: string): void;
}

/** CPU 0 is the load generator's: the proxies and replicas under test are pinned to CPU 1. */
export const LOAD_CPU = '0';

/** Starts a load run in a worker process pinned to CPU 0 (`taskset`), this same bundle in worker mode. */
export function startLoad(job: LoadJob, opts: LoadRunOptions): LoadRun {
  const refused = checkLoadTarget(job.url, opts.ownAddresses);
  if (refused !== undefined) throw new Error(refused);
  opts.cleanup.checkNotInterrupted('a load run');
  const script = process.argv[1] ?? '';
  const child = spawn('taskset', ['-c', LOAD_CPU, process.execPath, script, '--load-worker'], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const kill = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  const forget = opts.cleanup.add(`load worker ${child.pid ?? '?'}`, kill);
  const send = (message: ToWorker): void => {
    if (child.connected) child.send(message);
  };
  let hardStop: NodeJS.Timeout | undefined;
  const softStop = setTimeout(() => {
    send({ type: 'stop' });
    // autocannon answers a stop within a second; a worker that does not is killed.
    hardStop = setTimeout(() => void kill(), 10_000);
  }, opts.deadlineSec * 1000);
  const result = new Promise<LoadResult>((resolve, reject) => {
    let settled = false;
    child.on('message', (message: FromWorker) => {
      if (message.type === 'progress') opts.onProgress?.(message.requests, message.elapsedSec);
      else if (message.type === 'result') {
        settled = true;
        resolve(message.result);
      } else {
        settled = true;
        reject(new Error(`load worker failed: ${message.message}`));
      }
    });
    child.on('error', (err) => reject(new Error(`cannot start the load worker (is taskset installed?): ${err.message}`)));
    child.on('exit', (code, signal) => {
      clearTimeout(softStop);
      clearTimeout(hardStop);
      forget();
      if (!settled) reject(new Error(`load worker exited (${signal ?? code}) without a result`));
    });
  });
  // A caller interrupted (Ctrl-C) before awaiting the result must not crash the bench with an unhandled rejection.
  result.catch(() => undefined);
  send({ type: 'start', job });
  return { result, stop: () => send({ type: 'stop' }), mark: (phase) => send({ type: 'mark', phase }) };
}

/** A bounded run to completion: its deadline is the job's own length plus a margin. */
export function runLoad(job: LoadJob, opts: Omit<LoadRunOptions, 'deadlineSec'> & { deadlineSec?: number }): Promise<LoadResult> {
  const deadlineSec = opts.deadlineSec ?? (job.durationSec ?? 60) + 15;
  return startLoad(job, { ...opts, deadlineSec }).result;
}
