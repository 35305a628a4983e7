import type { ReplicasDocument, ReplicaView } from '../admin/views';
import { isRecord } from '../compose/plain-values';
import { nonEmptyLines } from './docker-cli';
import { inReplicaOrder, replicasTitle } from './replicas-report';
import { ComposeRunError } from './runtime-errors';
import { textTable, type Column } from './text-table';

/**
 * One task as `docker service ps --format '{{json .}}'` prints it
 * (docker/cli cli/command/task/formatter.go): states capitalised, the current
 * one with its age (`Running 2 minutes ago`), the node by its name.
 */
export interface TaskRow {
  /** SERVICE.SLOT, or SERVICE.NODE-ID for a global service. */
  readonly name: string;
  readonly node: string;
  readonly desired: string;
  readonly current: string;
}

/** Each line one task; anything else is docker printing something we do not understand. */
export function parseTaskRows(text: string): TaskRow[] {
  return nonEmptyLines(text).map(taskRow);
}

function taskRow(line: string): TaskRow {
  const row = jsonOrUndefined(line);
  if (isRecord(row)) {
    const { Name, Node, DesiredState, CurrentState } = row;
    if ([Name, Node, DesiredState, CurrentState].every((v) => typeof v === 'string')) {
      return { name: String(Name), node: String(Node), desired: String(DesiredState), current: String(CurrentState) };
    }
  }
  throw new ComposeRunError(`docker service ps printed a line that is not a task: ${line.slice(0, 80)}`);
}

function jsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const UP = /^(Running|Starting)\b/;

/**
 * The tasks that make the service now: those meant to run, and those still
 * up while they shut down (a scale down, a rolling update: the balancer
 * drains them). `docker service ps` also lists each slot's past tasks (the
 * swarm keeps a few), which are gone.
 */
export function currentTasks(rows: readonly TaskRow[]): TaskRow[] {
  return rows.filter((t) => t.desired === 'Running' || UP.test(t.current));
}

/** A row of the table: a task, what the balancer says of it, or both. */
interface TaskLine {
  readonly task: TaskRow | undefined;
  readonly replica: ReplicaView | undefined;
}

const NONE = '-';

const COLUMNS: readonly Column<TaskLine>[] = [
  { head: 'TASK', cell: (l) => l.task?.name ?? l.replica?.name ?? NONE },
  { head: 'NODE', cell: (l) => l.task?.node ?? NONE },
  { head: 'DESIRED', cell: (l) => l.task?.desired ?? NONE },
  { head: 'CURRENT', cell: (l) => l.task?.current ?? NONE },
  { head: 'BALANCER', cell: (l) => l.replica?.state ?? NONE },
  { head: 'ADDRESS', cell: (l) => l.replica?.address ?? NONE },
  { head: 'IN-FLIGHT', cell: (l) => (l.replica ? String(l.replica.inflight) : NONE) },
  { head: 'SERVED', cell: (l) => (l.replica ? String(l.replica.served) : NONE) },
];

export interface StackService {
  readonly balancer: string;
  readonly stack: string;
  readonly service: string;
  /** What the balancer reports; undefined when it could not be asked. */
  readonly doc: ReplicasDocument | undefined;
  /** `docker service ps` of the service, as it printed them. */
  readonly tasks: readonly TaskRow[];
}

/**
 * A service of a stack: its current tasks and their nodes, as the swarm has
 * them, each beside what the balancer says of it (it names a replica as the
 * swarm names the task, SERVICE.SLOT: src/swarm/task-replica.ts); replicas
 * the balancer has and the swarm did not list come last.
 */
export function stackTable({ balancer, stack, service, doc, tasks }: StackService): string {
  const current = currentTasks(tasks);
  const replicas = doc?.replicas ?? [];
  const lines: TaskLine[] = [
    ...current.map((task) => ({ task, replica: replicas.find((r) => r.name === task.name) })),
    ...inReplicaOrder(replicas.filter((r) => !current.some((t) => t.name === r.name))).map((replica) => ({
      task: undefined,
      replica,
    })),
  ];
  const wanted = current.filter((t) => t.desired === 'Running');
  const running = wanted.filter((t) => t.current.startsWith('Running')).length;
  const swarm = `swarm: ${running} of ${wanted.length} tasks running`;
  const title = doc
    ? `${replicasTitle(doc, balancer, `stack ${stack}`)}; ${swarm}`
    : `${balancer} -> ${service} (stack ${stack}): no answer from the balancer; ${swarm}`;
  if (lines.length === 0) return `${title}\n  (no tasks)\n`;
  return `${title}\n${textTable(COLUMNS, lines).join('\n')}\n`;
}
