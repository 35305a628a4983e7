import type { AddPlan } from './add-plan';
import { commentOutKey } from './block-edits';
import type { ComposeFile } from './compose-file';
import { CONTAINER_NAME_TAG } from './markers';
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
  const { block, ports, containerName, expose, labels } = plan;
  const newKeys = [...expose.newKeyLines, ...labels.newKeyLines];
  const edits: LineEdit[] = [];
  if (expose.appended) edits.push(expose.appended.edit);
  if (labels.appended) edits.push(labels.appended);
  if (containerName) edits.push(commentOutKey(file.text, containerName, file.label, CONTAINER_NAME_TAG));
  if (ports) edits.push({ from: ports.first, to: ports.last + 1, lines: [...portsLines, ...newKeys] });
  else if (newKeys.length > 0) edits.push({ from: block.last + 1, to: block.last + 1, lines: newKeys });
  return edits;
}

/** The service as Compose must read it after `add`: without what moved, with the expose and labels it got. */
export function serviceAfter(plan: AddPlan): Record<string, unknown> {
  const removed = [...(plan.ports ? ['ports'] : []), ...(plan.containerName ? ['container_name'] : [])];
  const after = without(plan.config, ...removed, 'expose', 'labels');
  if (plan.expose.after !== undefined) after['expose'] = plan.expose.after;
  if (plan.labels.after !== undefined) after['labels'] = plan.labels.after;
  return after;
}

/** Notes on the service's side of `add`, the same for both kinds. */
export function serviceNotes({ request, record, config, balanced }: AddPlan): string[] {
  const out: string[] = [];
  if (record.createdExpose || record.appendedExpose !== undefined) {
    out.push(`${request.service} now exposes ${balanced.port}`);
  }
  if (config['scale'] !== undefined || config['deploy'] !== undefined) {
    out.push(`${request.service} sets its own replica count (scale/deploy); --scale on the command line overrides it`);
  }
  return out;
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
