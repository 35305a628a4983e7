import type { AddPlan } from './add-plan';
import type { AddRecord } from './add-record';
import { commentOutKey } from './block-edits';
import type { ComposeFile, ServiceConfig } from './compose-file';
import { CONTAINER_NAME_TAG } from './markers';
import { isRecord } from './plain-values';
import { without } from './rewrite-check';
import type { Line, LineEdit } from './source-text';

/**
 * What `add` changes in the balanced service, whether it gets a balancer of
 * its own or joins one as a route: `portsLines` take the place of its ports
 * (a marker, or the ports commented out), keys it did not have (expose,
 * labels) follow them, or end the service when it has no ports.
 * Insertions come first: one may sit at the very line a replacement starts.
 */
export function serviceEdits(file: ComposeFile, plan: AddPlan, portsLines: readonly (Line | string)[]): LineEdit[] {
  const { block, ports, containerName, expose, labels, replicas } = plan;
  const newKeys = [...expose.newKeyLines, ...labels.newKeyLines, ...replicas.newKeyLines];
  const edits: LineEdit[] = [];
  if (expose.appended) edits.push(expose.appended.edit);
  if (labels.appended) edits.push(labels.appended);
  if (replicas.appended) edits.push(replicas.appended);
  if (containerName) edits.push(commentOutKey(file.text, containerName, file.label, CONTAINER_NAME_TAG));
  if (ports) edits.push({ from: ports.first, to: ports.last + 1, lines: [...portsLines, ...newKeys] });
  else if (newKeys.length > 0) edits.push({ from: block.last + 1, to: block.last + 1, lines: newKeys });
  return edits;
}

/** The service as Compose must read it after `add`: without what moved, with the expose, labels and replicas it got. */
export function serviceAfter(plan: AddPlan): Record<string, unknown> {
  const removed = [...(plan.ports ? ['ports'] : []), ...(plan.containerName ? ['container_name'] : [])];
  const after = without(plan.config, ...removed, 'expose', 'labels', 'deploy');
  if (plan.expose.after !== undefined) after['expose'] = plan.expose.after;
  if (plan.labels.after !== undefined) after['labels'] = plan.labels.after;
  if (plan.replicas.after !== undefined) after['deploy'] = plan.replicas.after;
  return after;
}

/** Notes on the service's side of `add`, the same for both kinds. */
export function serviceNotes({ request, record, config, balanced }: AddPlan): string[] {
  const { service } = request;
  const out: string[] = [];
  if (record.createdExpose || record.appendedExpose !== undefined) {
    out.push(`${service} now exposes ${balanced.port}`);
  }
  if (request.swarm) {
    out.push(swarmCountNote(service, record, config));
  } else if (config['scale'] !== undefined || config['deploy'] !== undefined) {
    out.push(`${service} sets its own replica count (scale/deploy); --scale on the command line overrides it`);
  }
  return out;
}

/** Where a stack's count of the service comes from, and what changes it. */
function swarmCountNote(service: string, record: AddRecord, config: ServiceConfig): string {
  const scale = `compose-lb scale ${service}=N --stack NAME changes it until the next deploy`;
  if (record.addedReplicas) return `${service} runs 1 task (its new deploy.replicas, which docker stack deploy sets); ${scale}`;
  const deploy = isRecord(config['deploy']) ? config['deploy'] : {};
  if (deploy['replicas'] !== undefined) {
    return `${service} keeps its deploy.replicas (${String(deploy['replicas'])}), which docker stack deploy sets; ${scale}`;
  }
  return `${service} runs as deploy.mode ${String(deploy['mode'])}, with no replica count to scale`;
}

export function serviceWarnings({ request, record, config, networking }: AddPlan): string[] {
  const out = [...networking.warnings];
  if (record.commentedContainerName) {
    out.push(
      `commented out container_name: ${String(config['container_name'])} in ${request.service}: ` +
        `a named container cannot be scaled (compose-lb remove ${request.service} puts it back)`,
    );
  }
  return out;
}
