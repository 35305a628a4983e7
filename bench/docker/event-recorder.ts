import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { COMPOSE_LABELS } from '../../src/docker/docker-api';
import type { Cleanup } from '../cleanup';

export interface RecordedEvent {
  /** Epoch milliseconds, from Docker's own clock (timeNano). */
  readonly atMs: number;
  readonly id: string;
  readonly action: string;
  readonly service: string | undefined;
}

/** One line of `docker events --format '{{json .}}'`; undefined for anything that is not a container event. */
export function parseEventLine(line: string): RecordedEvent | undefined {
  let event: { Type?: unknown; Action?: unknown; timeNano?: unknown; Actor?: { ID?: unknown; Attributes?: Record<string, unknown> } };
  try {
    event = JSON.parse(line) as typeof event;
  } catch {
    return undefined;
  }
  const id = event.Actor?.ID;
  if (event.Type !== 'container' || typeof id !== 'string' || typeof event.Action !== 'string') return undefined;
  if (typeof event.timeNano !== 'number') return undefined;
  const service = event.Actor?.Attributes?.[COMPOSE_LABELS.service];
  return {
    atMs: event.timeNano / 1e6,
    id,
    action: event.Action,
    service: typeof service === 'string' ? service : undefined,
  };
}

/** Records a project's container events (start, health, kill, die...) while it runs. */
export class EventRecorder {
  readonly events: RecordedEvent[] = [];
  private readonly child;
  private readonly forget: () => void;

  constructor(project: string, cleanup: Cleanup, onEvent: (event: RecordedEvent) => void = () => undefined) {
    this.child = spawn(
      'docker',
      ['events', '--format', '{{json .}}', '--filter', 'type=container', '--filter', `label=${COMPOSE_LABELS.project}=${project}`],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      const event = parseEventLine(line);
      if (event === undefined) return;
      this.events.push(event);
      onEvent(event);
    });
    this.forget = cleanup.add('docker events', () => this.stop());
  }

  async stop(): Promise<void> {
    this.forget();
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGTERM');
    await exited;
  }
}
