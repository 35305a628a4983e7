import { isMap, isScalar } from 'yaml';
import type { AddRecord } from './add-record';
import { deleteKey } from './block-edits';
import { ComposeInputError } from './compose-errors';
import type { ComposeFile, ServiceConfig } from './compose-file';
import { appendPairLines, removeItems } from './list-items';
import { isRecord } from './plain-values';
import { without } from './rewrite-check';
import { keyOf, type Indents, type KeySpan, type ServiceBlock } from './service-block';
import type { LineEdit } from './source-text';

/** What `add --swarm` does to the service's `deploy:`. */
export interface ReplicasPlan {
  /** Lines of a new `deploy:` key; empty when the service has its own. */
  readonly newKeyLines: readonly string[];
  /** The edit adding `replicas` to the service's own `deploy:`. */
  readonly appended: LineEdit | undefined;
  /** add writes `deploy.replicas`. */
  readonly added: boolean;
  /** The `deploy` value Compose reads afterwards. */
  readonly after: unknown;
}

/**
 * The count Swarm gives a service that names none, written where the user
 * changes it: each `docker stack deploy` sets a service's count to it again
 * (a spec without one means 1), undoing `docker service scale`.
 */
const REPLICAS = 1;
const REPLICAS_COMMENT = '# each docker stack deploy sets this count again';

/** `deploy.mode` values that take no replica count (cli/compose/convert/service.go, convertDeployMode). */
const COUNTLESS_MODES = ['global', 'global-job', 'replicated-job'];

/**
 * Under --swarm, the service's replica count comes from `deploy.replicas`:
 * written when the service names none (appended to its own `deploy:`, or a
 * new one), the user's own left as it is. Nothing for a service that runs
 * one task per node or as a job.
 */
export function planReplicas(
  file: ComposeFile,
  block: ServiceBlock,
  config: ServiceConfig,
  swarm: boolean,
  indents: Indents,
): ReplicasPlan {
  const deploy = config['deploy'];
  const none: ReplicasPlan = { newKeyLines: [], appended: undefined, added: false, after: deploy };
  if (!swarm || !needsCount(deploy)) return none;
  const line = (indent: string): string => `${indent}replicas: ${REPLICAS} ${REPLICAS_COMMENT}`;
  if (deploy === undefined) {
    const newKeyLines = [`${indents.body}deploy:`, line(indents.nested)];
    return { ...none, newKeyLines, added: true, after: { replicas: REPLICAS } };
  }
  const own = keyOf(block, 'deploy');
  if (!own) {
    throw new ComposeInputError(
      'merged-key',
      `${block.name} gets "deploy" through a merge (<<), which compose-lb cannot edit; ` +
        `write "deploy" (with its replicas) in ${block.name} itself`,
    );
  }
  const value = own.pair.value;
  const appended = isMap(value) ? appendPairLines(file.text, value, (indent) => [line(indent)]) : undefined;
  if (!appended) {
    throw new ComposeInputError(
      'layout',
      `cannot rewrite ${file.label}: ${block.name}'s "deploy" is not a block mapping; ` +
        'write it as one, or give it replicas yourself',
    );
  }
  return { ...none, appended, added: true, after: { ...(isRecord(deploy) ? deploy : {}), replicas: REPLICAS } };
}

function needsCount(deploy: unknown): boolean {
  if (!isRecord(deploy)) return true;
  return deploy['replicas'] === undefined && !COUNTLESS_MODES.includes(String(deploy['mode']));
}

/** The `deploy` value once the replicas `add` wrote are gone: no key where it wrote the key and nothing else is left. */
export function deployWithout(deploy: unknown, record: AddRecord): unknown {
  if (!record.addedReplicas || !isRecord(deploy)) return deploy;
  const rest = without(deploy, 'replicas');
  return record.createdDeploy && Object.keys(rest).length === 0 ? undefined : rest;
}

/** Edits taking out the replicas `add` wrote, or a warning when they are not there as it wrote them. */
export function replicasRemoval(
  file: ComposeFile,
  block: ServiceBlock,
  record: AddRecord,
): { edits: LineEdit[]; warnings: string[] } {
  if (!record.addedReplicas) return { edits: [], warnings: [] };
  const own = keyOf(block, 'deploy');
  const edits = own && ourReplicasEdits(file, own, record);
  if (edits) return { edits, warnings: [] };
  return { edits: [], warnings: [`${block.name} no longer has the deploy.replicas add wrote; left as it is`] };
}

/** Deletes `replicas` from `deploy:`, the whole key where add wrote the key and nothing else is left. */
function ourReplicasEdits(file: ComposeFile, own: KeySpan, record: AddRecord): LineEdit[] | undefined {
  const map = own.pair.value;
  if (!isMap(map) || map.flow) return undefined;
  const index = map.items.findIndex((p) => isScalar(p.key) && p.key.value === 'replicas');
  if (index < 0) return undefined;
  return record.createdDeploy && map.items.length === 1 ? [deleteKey(own)] : removeItems(file.text, map, [index]);
}
