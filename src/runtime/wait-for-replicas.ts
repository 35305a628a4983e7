import type { ReplicasDocument } from '../admin/views';
import type { Clock } from './clock';
import { progressLine } from './replicas-report';
import { ScaleTimeoutError } from './runtime-errors';

/** What a poller makes of one answer: done, or a line saying what it still waits for. */
export type Verdict = { readonly done: true } | { readonly done: false; readonly line: string };

export interface PollOptions {
  readonly service: string;
  readonly timeoutMs: number;
  readonly pollMs: number;
  readonly clock: Clock;
  /** Asks the balancer; may fail while it starts, which only means "not yet". */
  readonly read: () => Promise<ReplicasDocument>;
  readonly judge: (doc: ReplicasDocument) => Verdict;
  /** Called with a line whenever the picture changes. */
  readonly progress: (line: string) => void;
  /** Ends the wait early (Ctrl-C); checked after each answer and between polls. */
  readonly signal?: AbortSignal;
}

export type PollOutcome =
  | { readonly kind: 'done'; readonly doc: ReplicasDocument }
  | { readonly kind: 'timeout' | 'interrupted'; readonly last: string };

/**
 * Asks the balancer every `pollMs` until `judge` says done, the time is up, or
 * the signal fires. At least one answer is always judged, so a timeout of 0
 * means "look once".
 */
export async function pollBalancer(opts: PollOptions): Promise<PollOutcome> {
  const deadline = opts.clock.now() + opts.timeoutMs;
  let last = '';
  for (;;) {
    let line: string;
    try {
      const doc = await opts.read();
      const verdict = opts.judge(doc);
      if (verdict.done) return { kind: 'done', doc };
      line = verdict.line;
    } catch (err) {
      line = `${opts.service}: the balancer does not answer yet (${(err as Error).message})`;
    }
    if (line !== last) opts.progress(line);
    last = line;
    if (opts.signal?.aborted) return { kind: 'interrupted', last };
    const left = deadline - opts.clock.now();
    if (left <= 0) return { kind: 'timeout', last };
    await pause(opts.clock, Math.min(opts.pollMs, left), opts.signal);
  }
}

/** The clock's sleep, cut short by the signal. */
export function pause(clock: Clock, ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal === undefined) return clock.sleep(ms);
  return new Promise((resolve) => {
    const wake = (): void => {
      signal.removeEventListener('abort', wake);
      resolve();
    };
    signal.addEventListener('abort', wake);
    void clock.sleep(ms).then(wake);
  });
}

export interface WaitOptions extends Omit<PollOptions, 'judge' | 'signal'> {
  readonly want: number;
}

/**
 * Polls the balancer until it reports exactly `want` ready replicas: ready
 * means it would send traffic there (started, healthy if there is a
 * healthcheck, not draining). Throws ScaleTimeoutError with the last picture.
 */
export async function waitForReplicas(opts: WaitOptions): Promise<ReplicasDocument> {
  const outcome = await pollBalancer({
    ...opts,
    judge: (doc) => (doc.ready === opts.want ? { done: true } : { done: false, line: progressLine(doc, opts.want) }),
  });
  if (outcome.kind === 'done') return outcome.doc;
  throw new ScaleTimeoutError(
    `gave up after ${Math.round(opts.timeoutMs / 1000)}s waiting for ${opts.want} ready replicas of ${opts.service}; last: ${outcome.last}`,
  );
}
