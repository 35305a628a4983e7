import type { ReplicasDocument, ReplicaView } from '../../admin/views';
import { shortId } from '../docker-cli';
import type { Verdict } from '../wait-for-replicas';

// Pure: what the balancer's /replicas says about a rollout's containers. Compose
// gives full container IDs, the balancer the first 12 characters of each.

export function viewOf(doc: ReplicasDocument | undefined, id: string): ReplicaView | undefined {
  return doc?.replicas.find((r) => shortId(r.id) === shortId(id));
}

/** A container as messages name it: its name when the balancer knows it, else its short ID. */
export function nameOf(doc: ReplicasDocument | undefined, id: string): string {
  return viewOf(doc, id)?.name ?? shortId(id);
}

export function namesOf(doc: ReplicasDocument | undefined, ids: readonly string[]): string {
  return ids.map((id) => nameOf(doc, id)).join(', ');
}

/** Running IDs that were not running before: the containers a rollout started. */
export function startedSince(running: readonly string[], before: readonly string[]): string[] {
  return running.filter((id) => !before.includes(id));
}

/**
 * Done when the balancer reports every new container ready, which it does only
 * once the container runs, passes its HEALTHCHECK (if any) and answers the
 * balancer's own probe (if on).
 */
export function newSetVerdict(doc: ReplicasDocument, fresh: readonly string[]): Verdict {
  const states = fresh.map((id) => ({ name: nameOf(doc, id), state: viewOf(doc, id)?.state ?? 'not seen yet' }));
  const ready = states.filter((s) => s.state === 'ready');
  const waiting = states.filter((s) => s.state !== 'ready');
  if (waiting.length === 0) return { done: true };
  const readyNames = ready.length > 0 ? ` (${ready.map((s) => s.name).join(', ')})` : '';
  return {
    done: false,
    line: `${doc.service}: ${ready.length} of ${fresh.length} new replicas ready${readyNames}; waiting for ${waiting.map((s) => `${s.name} (${s.state})`).join(', ')}`,
  };
}

/** Done when no old container has a request in flight (one the balancer no longer lists has none). */
export function drainVerdict(doc: ReplicasDocument, old: readonly string[]): Verdict {
  const busy = old.flatMap((id) => viewOf(doc, id) ?? []).filter((r) => r.inflight > 0);
  if (busy.length === 0) return { done: true };
  const total = busy.reduce((sum, r) => sum + r.inflight, 0);
  return {
    done: false,
    line: `${doc.service}: old replicas finishing ${total} ${total === 1 ? 'request' : 'requests'} in flight (${busy.map((r) => `${r.name}: ${r.inflight}`).join(', ')})`,
  };
}
