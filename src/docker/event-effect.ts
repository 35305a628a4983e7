import type { DockerEvent } from './docker-api';
import { SIGKILL, SIGTERM, signalNumber } from './signals';

/**
 * What one Docker event means for the replica set. An event is only a hint that
 * something changed, so most become a re-list; the exception is a stop, which
 * must take the replica out of rotation before the container dies.
 */
export type EventEffect =
  | { readonly kind: 'ignore' }
  | { readonly kind: 'relist' }
  | { readonly kind: 'stopping'; readonly id: string; readonly why: string; readonly killed: boolean };

const IGNORE: EventEffect = { kind: 'ignore' };
const RELIST: EventEffect = { kind: 'relist' };

/** Actions that change whether or where a container can serve. */
const RELIST_ACTIONS = new Set([
  'start',
  'restart',
  'die',
  'destroy',
  'pause',
  'unpause',
  'rename',
  'oom',
  'update',
]);

export function eventEffect(event: DockerEvent, stopSignalOf: (id: string) => number | undefined): EventEffect {
  if (event.Type !== undefined && event.Type !== 'container') return IGNORE;
  const action = event.Action ?? '';
  const id = event.Actor?.ID;
  // "health_status: healthy" on Docker 20.10; a bare "health_status" on some newer engines.
  if (action.startsWith('health_status')) return RELIST;
  if (RELIST_ACTIONS.has(action)) return RELIST;
  if (id === undefined) return IGNORE;
  // Docker reports `stop` once the container has stopped: nothing of it is left to use.
  if (action === 'stop') return { kind: 'stopping', id, why: 'stop', killed: true };
  if (action === 'kill') {
    const raw = event.Actor?.Attributes?.signal;
    const signal = signalNumber(raw);
    // `docker kill -s HUP` asks for a reload, not an exit: the replica keeps serving.
    if (signal === SIGTERM || signal === SIGKILL || (signal !== undefined && signal === stopSignalOf(id))) {
      return { kind: 'stopping', id, why: `kill (signal ${raw})`, killed: signal === SIGKILL };
    }
  }
  return IGNORE;
}
