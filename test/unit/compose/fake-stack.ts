import type { ReplicasDocument, ReplicaView } from '../../../src/admin/views';
import type { ProcessResult } from '../../../src/runtime/process-runner';
import type { Script } from './fake-runner';
import { replica, replicasDoc } from './replicas-fixtures';

/** The balancer's container, as `ps -q web-lb` gives it. */
export const LB = 'f00dfeedbeef1234';
export const PROBE = `docker exec ${LB} node /app/compose-lb.js probe`;
/** What `status web`, `scale`, `rollout` ask: the balancer may balance several services, so they name theirs. */
export const READ_WEB = `${PROBE} /replicas?service=web`;

/** The POST that drains (or undrains) replica `ref` of `service`. */
export function drainCommand(ref: string, verb = 'drain', service = 'web'): string {
  return `${PROBE} --method POST /replicas/${ref}/${verb}?service=${service}`;
}

/** What `probe` does with an admin answer: prints the body, exits 1 unless 2xx (src/cli/probe-command.ts). */
export function probeAnswer(status: number, body: unknown): Partial<ProcessResult> {
  const stdout = `${JSON.stringify(body, null, 2)}\n`;
  if (status >= 200 && status < 300) return { stdout };
  return { code: 1, stdout, stderr: `compose-lb: admin endpoint answered ${status}\n` };
}

/** Container n of web: 16 characters, unique in its first 12 (what the balancer shows); named demo-web-n. */
export function containerId(n: number): string {
  return `c${n}`.padEnd(12, '0') + 'ffff';
}

export interface StackOptions {
  /** The Compose command line up to the subcommand, e.g. `docker-compose -f /x/compose.yaml -p shop`. */
  readonly compose?: string;
  /** Replicas of web running at the start. */
  readonly old?: number;
  /** How many new containers `up` starts (default: as many as run). */
  readonly started?: number;
  readonly upCode?: number;
  /** /replicas answers after `up` that still show the new replicas starting (Infinity: they never get ready). */
  readonly readyAfter?: number;
  /** Each drained replica's requests in flight: in the drain answer, then in each /replicas answer (the last repeats). */
  readonly inflight?: readonly number[];
  /** Every drain is answered 404, as for a replica the balancer has forgotten. */
  readonly refuseDrain?: boolean;
  /** Called with each command before it is answered (to press Ctrl-C at a chosen step). */
  readonly on?: (command: string) => void;
}

/**
 * Compose, Docker and the balancer of project demo, just enough for `rollout`:
 * web's containers come and go with `up`, `docker stop`; the balancer reports
 * them (new ones starting, then ready) and drains them on request.
 */
export class FakeStack {
  running: string[];
  private readonly old: ReadonlySet<string>;
  private readonly numbers = new Map<string, number>();
  private readonly drained = new Set<string>();
  private answersSinceUp: number | undefined;
  private answersSinceDrain = 0;

  constructor(private readonly opts: StackOptions = {}) {
    this.running = this.create(1, opts.old ?? 3);
    this.old = new Set(this.running);
  }

  readonly script: Script = (command) => {
    this.opts.on?.(command);
    return this.answer(command);
  };

  private answer(command: string): Partial<ProcessResult> | undefined {
    const compose = this.opts.compose ?? 'docker compose';
    const v2 = compose.startsWith('docker compose');
    const [verb, ...ids] = command.split(' ').slice(1);
    if (command === 'docker compose version') return v2 ? {} : { code: 125 };
    if (command === 'docker-compose version') return v2 ? undefined : {};
    if (command === `${compose} ps -q web-lb`) return { stdout: `${LB}\n` };
    if (command === `${compose} ps -q web`) return { stdout: this.running.map((id) => `${id}\n`).join('') };
    if (command === `${compose} up -d --no-recreate --scale web=${2 * this.old.size} web`) return this.up();
    if (command === READ_WEB) return probeAnswer(200, this.replicas());
    const drain = new RegExp(`^${PROBE} --method POST /replicas/([^/]+)/drain\\?service=web$`).exec(command);
    if (drain?.[1] !== undefined) return this.drain(decodeURIComponent(drain[1]));
    if (verb === 'stop') this.running = this.running.filter((id) => !ids.includes(id));
    return verb === 'stop' || verb === 'rm' ? {} : undefined;
  }

  private create(from: number, count: number): string[] {
    const ids = Array.from({ length: count }, (_, i) => containerId(from + i));
    ids.forEach((id, i) => this.numbers.set(id, from + i));
    return ids;
  }

  private up(): Partial<ProcessResult> {
    this.running.push(...this.create(this.old.size + 1, this.opts.started ?? this.old.size));
    this.answersSinceUp = 0;
    return { code: this.opts.upCode ?? 0 };
  }

  private drain(ref: string): Partial<ProcessResult> {
    const id = this.running.find((r) => r.startsWith(ref));
    if (this.opts.refuseDrain || id === undefined) {
      return probeAnswer(404, { error: `no replica "${ref}" (name, Compose number or container ID)` });
    }
    this.drained.add(id);
    return probeAnswer(200, { changed: true, replica: this.view(id) });
  }

  private replicas(): ReplicasDocument {
    if (this.answersSinceUp !== undefined) this.answersSinceUp++;
    if (this.drained.size > 0) this.answersSinceDrain++;
    return replicasDoc(this.running.map((id) => this.view(id)));
  }

  private view(id: string): ReplicaView {
    const newReady = (this.answersSinceUp ?? 0) > (this.opts.readyAfter ?? 1);
    const state = this.old.has(id) ? (this.drained.has(id) ? 'drained' : 'ready') : newReady ? 'ready' : 'starting';
    const inflight = this.opts.inflight ?? [0];
    const busy = inflight[Math.min(this.answersSinceDrain, inflight.length - 1)] ?? 0;
    const inflightNow = this.drained.has(id) ? busy : 0;
    return replica(this.numbers.get(id) ?? 0, state, { id: id.slice(0, 12), inflight: inflightNow });
  }
}
