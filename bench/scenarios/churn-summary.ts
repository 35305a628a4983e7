import type { RecordedEvent } from '../docker/event-recorder';
import type { ReplicaTally } from '../load/load-types';
import type { PhaseResult } from '../load/phase-recorder';
import { median } from '../stats';

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
   * From the moment it listened (ready) to the moment its first request
   * reached it, both from its own log. Undefined when it never served or its
   * log was not read.
   */
  readonly readyToFirstRequestMs: number | undefined;
  /**
   * From the moment it listened to the balancer's line that a connection to it was accepted (it is in
   * rotation from then on). Absent in results from before it was measured.
   */
  readonly readyToRotationMs?: number | undefined;
  readonly startToFirstRequestMs: number | undefined;
  readonly requests: number;
}

const minus = (a: number | undefined, b: number | undefined): number | undefined =>
  a === undefined || b === undefined ? undefined : a - b;

/** When each replica's app listened and got its first request (its log lines), by short container ID. */
export interface AppLogTimes {
  readonly listeningAt: ReadonlyMap<string, number>;
  readonly firstRequestAt: ReadonlyMap<string, number>;
}

/**
 * Pure: per replica created during the load, how soon it got traffic. Only
 * containers with a `create` event count: one that was there before and is
 * restarted (`docker compose restart`) is not new, and its log still holds its
 * first boot's lines. Start events and log lines carry Docker's clock.
 */
export function newReplicaLatencies(
  events: readonly RecordedEvent[],
  logs: AppLogTimes,
  tallies: Readonly<Record<string, ReplicaTally>>,
  loadStartedAt: number,
  service: string,
  inRotationAt: ReadonlyMap<string, number>,
): ChurnReplica[] {
  const created = new Set<string>();
  const starts = new Map<string, number>();
  for (const event of events) {
    if (event.service !== service) continue;
    const id = event.id.slice(0, 12);
    if (event.action === 'create') created.add(id);
    else if (event.action === 'start' && created.has(id) && !starts.has(id)) starts.set(id, event.atMs);
  }
  return [...starts].map(([replica, startedAt]) => {
    const tally = tallies[replica];
    const listening = logs.listeningAt.get(replica);
    const firstRequest = logs.firstRequestAt.get(replica);
    return {
      replica,
      startedAtMs: startedAt - loadStartedAt,
      bootMs: minus(listening, startedAt),
      readyToFirstRequestMs: minus(firstRequest, listening),
      readyToRotationMs: minus(inRotationAt.get(replica), listening),
      startToFirstRequestMs: minus(firstRequest, startedAt),
      requests: tally?.count ?? 0,
    };
  });
}

/** One JSON line of a balancer's log (pino: `time` as ISO text, `level` as a label). */
export interface LogLine {
  readonly atMs: number;
  readonly level: string;
  readonly msg: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

/** Pure: a balancer's output (`docker logs`) -> its JSON lines; anything else is left out. */
export function parseBalancerLog(text: string): LogLine[] {
  const lines: LogLine[] = [];
  for (const raw of text.split('\n')) {
    if (!raw.startsWith('{')) continue;
    let fields: Record<string, unknown>;
    try {
      fields = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      continue;
    }
    const atMs = typeof fields.time === 'string' ? Date.parse(fields.time) : Number.NaN;
    if (Number.isNaN(atMs) || typeof fields.msg !== 'string') continue;
    lines.push({ atMs, level: String(fields.level), msg: fields.msg, fields });
  }
  return lines;
}

/** The balancer's line when a new replica first accepts a connection, and goes into rotation (src/balancer/boot-watch.ts). */
export const ACCEPTING_MSG = 'replica accepts connections';

/** Pure: short container ID -> when the balancer's log first says the replica accepts connections. */
export function rotationTimes(log: readonly LogLine[]): Map<string, number> {
  const at = new Map<string, number>();
  for (const line of log) {
    const id = line.fields.id;
    if (line.msg === ACCEPTING_MSG && typeof id === 'string' && !at.has(id)) at.set(id, line.atMs);
  }
  return at;
}

/** The balancer's line when a replica stops taking requests (src/balancer/replica-set.ts). */
export const DRAINING_MSG = 'replica draining';
/** Its line when no request waits for a replica any more, with how long holding lasted (src/proxy/hold-queue.ts). */
export const HOLD_ENDED_MSG = 'holding ended: no request is waiting for a replica';

export interface KillToDrain {
  /** Short container ID. */
  readonly replica: string;
  readonly killAtMs: number;
  readonly delayMs: number;
}

/**
 * Pure: for each 'replica draining' line, the time from Docker's kill event of
 * that container (its first since it last started: `docker stop` may send
 * SIGTERM, then SIGKILL) to the line. Both clocks are this host's.
 */
export function killToDrain(events: readonly RecordedEvent[], log: readonly LogLine[]): KillToDrain[] {
  const found: KillToDrain[] = [];
  for (const line of log) {
    const id = line.fields.id;
    if (line.msg !== DRAINING_MSG || typeof id !== 'string') continue;
    let kill: number | undefined;
    for (const event of events) {
      if (!event.id.startsWith(id) || event.atMs > line.atMs) continue;
      if (event.action === 'start') kill = undefined;
      else if (event.action === 'kill') kill ??= event.atMs;
    }
    if (kill !== undefined) found.push({ replica: id, killAtMs: kill, delayMs: line.atMs - kill });
  }
  return found;
}

export interface HoldEpisode {
  /** When holding ended, and how long it had lasted. */
  readonly endedAtMs: number;
  readonly heldMs: number;
}

/** Pure: every episode of holding the balancer logged. */
export function holdEpisodes(log: readonly LogLine[]): HoldEpisode[] {
  return log
    .filter((line) => line.msg === HOLD_ENDED_MSG && typeof line.fields.heldMs === 'number')
    .map((line) => ({ endedAtMs: line.atMs, heldMs: line.fields.heldMs as number }));
}

/** One change of the churn run and the load's figures until the next one. */
export interface ChurnPhase extends Pick<PhaseResult, 'name' | 'durationSec' | 'responses' | 'non2xx' | 'errors' | 'timeouts' | 'errorCodes'> {
  /** Milliseconds after the load started. */
  readonly startMs: number;
  readonly p99Us: number;
  /** The slowest response the client saw: a held request shows here as its hold plus its answer. */
  readonly slowestUs: number;
  /** Holding episodes (the balancer's log) that began in this phase, and the longest. */
  readonly holds: number;
  readonly longestHoldMs: number | undefined;
}

/** Pure: the load's phases with the holding episodes that began in each. */
export function churnPhases(phases: readonly PhaseResult[], episodes: readonly HoldEpisode[], loadStartedAt: number): ChurnPhase[] {
  return phases.map((phase) => {
    const end = phase.startedAt + phase.durationSec * 1000;
    const mine = episodes.filter((e) => e.endedAtMs - e.heldMs >= phase.startedAt && e.endedAtMs - e.heldMs < end);
    return {
      name: phase.name,
      startMs: Math.round(phase.startedAt - loadStartedAt),
      durationSec: phase.durationSec,
      responses: phase.responses,
      non2xx: phase.non2xx,
      errors: phase.errors,
      timeouts: phase.timeouts,
      errorCodes: phase.errorCodes,
      p99Us: phase.latency.p99Us,
      slowestUs: phase.latency.maxUs,
      holds: mine.length,
      longestHoldMs: mine.length === 0 ? undefined : Math.max(...mine.map((e) => e.heldMs)),
    };
  });
}

export interface DelaySummary {
  readonly count: number;
  readonly medianMs: number | undefined;
  readonly maxMs: number | undefined;
}

/** Pure: count, median and largest of some delays. */
export function delaySummary(delays: readonly number[]): DelaySummary {
  return {
    count: delays.length,
    medianMs: delays.length === 0 ? undefined : median(delays),
    maxMs: delays.length === 0 ? undefined : Math.max(...delays),
  };
}

/**
 * Pure: what one layout adds to another's kill-to-drain delay, kill by kill
 * (the same kill event seen by both balancers), so a slow moment of the
 * machine counts against neither.
 */
export function addedDelay(base: readonly KillToDrain[], other: readonly KillToDrain[]): DelaySummary {
  const added: number[] = [];
  for (const drain of other) {
    const same = base.find((b) => b.replica === drain.replica && b.killAtMs === drain.killAtMs);
    if (same !== undefined) added.push(drain.delayMs - same.delayMs);
  }
  return delaySummary(added);
}
