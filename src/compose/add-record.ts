import type { ServiceConfig } from './compose-file';
import { isRecord } from './plain-values';
import type { Indents } from './service-block';
import { yamlScalar } from './yaml-text';

/**
 * What `add` changed in the balanced service, kept in the balancer service as an
 * `x-` extension field so `remove` can undo exactly that. Compose ignores `x-`
 * keys inside a service: checked with `docker-compose config` (v1.29, files with
 * version "2.4", "3.8" and none) and `docker compose config` (v2).
 * Where things go back is marked in the service itself (see markers.ts).
 */
export interface AddRecord {
  readonly service: string;
  /** Its `ports:` moved to the balancer; a marker comment holds their place. */
  readonly movedPorts: boolean;
  /** Its `expose:` key was written by add (remove deletes the key). */
  readonly createdExpose: boolean;
  /** This item was appended to its existing `expose:` (remove deletes the item). */
  readonly appendedExpose: string | undefined;
  /** Its `container_name:` was commented out in place. */
  readonly commentedContainerName: boolean;
}

export const RECORD_KEY = 'x-compose-lb';

const FIELDS = {
  service: 'service',
  movedPorts: 'moved-ports',
  createdExpose: 'created-expose',
  appendedExpose: 'appended-expose',
  commentedContainerName: 'commented-out-container-name',
} as const;

export function recordLines(record: AddRecord, indents: Indents): string[] {
  const why = `# what \`compose-lb add\` changed in ${record.service}; \`compose-lb remove ${record.service}\` undoes it`;
  const lines = [
    `${indents.body}${RECORD_KEY}: ${why}`,
    `${indents.nested}${FIELDS.service}: ${yamlScalar(record.service)}`,
  ];
  if (record.movedPorts) lines.push(`${indents.nested}${FIELDS.movedPorts}: true`);
  if (record.createdExpose) lines.push(`${indents.nested}${FIELDS.createdExpose}: true`);
  if (record.appendedExpose !== undefined) {
    lines.push(`${indents.nested}${FIELDS.appendedExpose}: ${JSON.stringify(record.appendedExpose)}`);
  }
  if (record.commentedContainerName) lines.push(`${indents.nested}${FIELDS.commentedContainerName}: true`);
  return lines;
}

/** The record of a balancer service, or undefined when it has none (not added by `compose-lb add`). */
export function readRecord(balancer: ServiceConfig): AddRecord | undefined {
  const raw = balancer[RECORD_KEY];
  if (!isRecord(raw) || typeof raw[FIELDS.service] !== 'string') return undefined;
  const flag = (key: string): boolean => raw[key] === true || raw[key] === 'true';
  const appended = raw[FIELDS.appendedExpose];
  return {
    service: raw[FIELDS.service] as string,
    movedPorts: flag(FIELDS.movedPorts),
    createdExpose: flag(FIELDS.createdExpose),
    appendedExpose: typeof appended === 'string' || typeof appended === 'number' ? String(appended) : undefined,
    commentedContainerName: flag(FIELDS.commentedContainerName),
  };
}
