import type { RecordedEvent } from '../docker/event-recorder';
import type { ReplicaTally } from '../load/load-types';

export interface ChurnStep {
  readonly action: string;
  /** Milliseconds after the load started. */
  readonly atMs: number;
  /** How long the Compose or Docker command took. */
  readonly tookMs: number;
}

export interface ChurnReplica {
  /** Short container ID: the X-Replica value. */
  readonly replica: string;
  /** Its start event, in milliseconds after the load started. */
  readonly startedAtMs: number;
  /** From the start event to the app's "listening" log line: the app's own boot time. */
  readonly bootMs: number | undefined;
  /**
   * From the moment it listened (ready) to the moment the first request it
   * answered was sent (response time subtracted, so the app's own delay does
   * not count). Undefined when it never served or its log was not read.
   */
  readonly readyToFirstRequestMs: number | undefined;
  readonly startToFirstRequestMs: number | undefined;
  readonly requests: number;
}

const minus = (a: number | undefined, b: number | undefined): number | undefined =>
  a === undefined || b === undefined ? undefined : a - b;

/**
 * Pure: per replica started during the load, how soon it got traffic. Start
 * events and log lines carry Docker's clock, response times the load
 * generator's: both are this host's wall clock.
 */
export function newReplicaLatencies(
  events: readonly RecordedEvent[],
  listeningAt: ReadonlyMap<string, number>,
  tallies: Readonly<Record<string, ReplicaTally>>,
  loadStartedAt: number,
  service: string,
): ChurnReplica[] {
  const starts = new Map<string, number>();
  for (const event of events) {
    if (event.action === 'start' && event.service === service) starts.set(event.id.slice(0, 12), event.atMs);
  }
  return [...starts].map(([replica, startedAt]) => {
    const tally = tallies[replica];
    const listening = listeningAt.get(replica);
    return {
      replica,
      startedAtMs: startedAt - loadStartedAt,
      bootMs: minus(listening, startedAt),
      readyToFirstRequestMs: minus(tally?.firstSentAt, listening),
      startToFirstRequestMs: minus(tally?.firstSentAt, startedAt),
      requests: tally?.count ?? 0,
    };
  });
}
