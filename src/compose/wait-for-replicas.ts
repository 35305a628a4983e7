import type { ReplicasDocument } from '../proxy/admin-server';
import type { Clock } from './clock';
import { ScaleTimeoutError } from './compose-errors';
import { progressLine } from './replicas-report';

export interface WaitOptions {
  readonly service: string;
  readonly want: number;
  readonly timeoutMs: number;
  readonly pollMs: number;
  readonly clock: Clock;
  /** Asks the balancer; may fail while it starts, which only means "not yet". */
  readonly read: () => Promise<ReplicasDocument>;
  /** Called with a line whenever the picture changes. */
  readonly progress: (line: string) => void;
}

/**
 * Polls the balancer until it reports exactly `want` ready replicas: ready
 * means it would send traffic there (started, healthy if there is a
 * healthcheck, not draining). Throws ScaleTimeoutError with the last picture.
 */
export async function waitForReplicas(opts: WaitOptions): Promise<ReplicasDocument> {
  const deadline = opts.clock.now() + opts.timeoutMs;
  let last = '';
  for (;;) {
    let line: string;
    try {
      const doc = await opts.read();
      if (doc.ready === opts.want) return doc;
      line = progressLine(doc, opts.want);
    } catch (err) {
      line = `${opts.service}: the balancer does not answer yet (${(err as Error).message})`;
    }
    if (line !== last) opts.progress(line);
    last = line;
    const left = deadline - opts.clock.now();
    if (left <= 0) {
      throw new ScaleTimeoutError(
        `gave up after ${Math.round(opts.timeoutMs / 1000)}s waiting for ${opts.want} ready replicas of ${opts.service}; last: ${last}`,
      );
    }
    await opts.clock.sleep(Math.min(opts.pollMs, left));
  }
}
