import { isDeepStrictEqual } from 'node:util';
import { planAdd, type AddPlan, type AddRequest } from './add-plan';
import { readRecord } from './add-record';
import { balancerLines } from './balancer-block';
import { commentOutKey, insertAfterService } from './block-edits';
import { ComposeInputError } from './compose-errors';
import { requireService, serviceNames, type ComposeFile, type ServiceConfig } from './compose-file';
import { balancerOf, balancers } from './find-balancer';
import { publishEntry } from './listen-address';
import { portsMarker } from './markers';
import { checkRewrite, sameAs, without } from './rewrite-check';
import { unchanged, type RewriteResult } from './rewrite-result';
import { applyLineEdits, type LineEdit } from './source-text';

export type { AddRequest } from './add-plan';

/**
 * Puts a balancer service in front of `service`: the balancer takes over its
 * published ports, the service keeps an `expose` of its port and loses its
 * container_name (commented out), so `docker compose up --scale` can run many.
 * Pure: text in, text out; every byte it does not need to change stays.
 */
export function addBalancer(file: ComposeFile, req: AddRequest): RewriteResult {
  const { service } = req;
  requireService(file, service);
  const existing = balancerOf(file, service);
  if (existing) {
    return unchanged(
      file.text.source,
      existing.name,
      `${service} is already behind a balancer (${existing.name}); nothing to do`,
    );
  }
  const plan = planAdd(file, req, checkNames(file, service));
  const text = applyLineEdits(file.text, editsFor(file, plan));
  verify(file, plan, text);
  return { text, changed: true, balancer: plan.name, notes: notes(plan), warnings: warnings(plan) };
}

/** Line edits, insertions first: one may sit at the very line a replacement starts. */
function editsFor(file: ComposeFile, plan: AddPlan): LineEdit[] {
  const { block, indents, ports, containerName, expose, name } = plan;
  const edits: LineEdit[] = [];
  if (expose.appended) edits.push(expose.appended.edit);
  if (containerName) edits.push(commentOutKey(file.text, containerName, file.label));
  if (ports) {
    edits.push({
      from: ports.first,
      to: ports.last + 1,
      lines: [portsMarker(indents.body, name), ...expose.newKeyLines],
    });
  } else if (plan.record.createdExpose) {
    edits.push({ from: block.last + 1, to: block.last + 1, lines: expose.newKeyLines });
  }
  const portsLines = ports ? file.text.lines.slice(ports.first, ports.last + 1) : listenLines(plan);
  const spec = {
    name,
    service: plan.request.service,
    image: plan.request.image,
    pinnedFrom: plan.request.pinnedFrom,
    port: plan.balanced.port,
    dockerGid: plan.request.dockerGid,
    portsLines,
    ...plan.networking,
    profiles: profilesOf(plan.config),
    record: plan.record,
  };
  edits.push(insertAfterService(file.text, block, balancerLines(spec, ' '.repeat(block.column), indents)));
  return edits;
}

/** The service loses what moved, gains the expose; the balancer publishes what the service did. */
function verify(file: ComposeFile, plan: AddPlan, text: string): void {
  const { config, request, balanced } = plan;
  const removed = [...(plan.ports ? ['ports'] : []), ...(plan.containerName ? ['container_name'] : [])];
  const published = plan.ports
    ? config['ports']
    : request.listen
      ? [publishEntry(request.listen, balanced.port)]
      : undefined;
  checkRewrite(file, text, {
    service: request.service,
    checkService: sameAs(withExpose(without(config, ...removed, 'expose'), plan.expose.after)),
    added: { name: plan.name, check: (lb) => checkBalancer(lb, request.service, published) },
  });
}

/** The balancer's name, once sure it is free and `service` is not a balancer itself. */
function checkNames(file: ComposeFile, service: string): string {
  const itself = balancers(file).find((b) => b.name === service);
  if (itself) {
    throw new ComposeInputError(
      'name-taken',
      `${service} is a balancer itself (for ${itself.service}); name the service to balance`,
    );
  }
  const name = `${service}-lb`;
  if (serviceNames(file).includes(name)) {
    throw new ComposeInputError(
      'name-taken',
      `${file.label} already has a service named ${name} that is not its balancer; rename it first`,
    );
  }
  return name;
}

function listenLines({ request, balanced, indents }: AddPlan): string[] {
  if (!request.listen) return [];
  return [`${indents.body}ports:`, `${indents.item}- ${JSON.stringify(publishEntry(request.listen, balanced.port))}`];
}

function profilesOf(config: ServiceConfig): string[] {
  const profiles = config['profiles'];
  return Array.isArray(profiles) ? profiles.map(String) : [];
}

function withExpose(config: Record<string, unknown>, expose: unknown): Record<string, unknown> {
  return expose === undefined ? config : { ...config, expose };
}

function checkBalancer(lb: ServiceConfig, service: string, ports: unknown): string | undefined {
  if (!isDeepStrictEqual(lb['ports'], ports)) return `the balancer would not publish ${service}'s ports as they were`;
  if (readRecord(lb)?.service !== service) return 'the balancer would lose its x-compose-lb record';
  return undefined;
}

function notes({ request, name, balanced, record, config }: AddPlan): string[] {
  const image = request.pinnedFrom === undefined ? request.image : `${request.pinnedFrom}, pinned to ${request.image}`;
  const out = [`added ${name} (${image}) in front of ${request.service}, forwarding to its port ${balanced.port}`];
  if (record.movedPorts) {
    out.push(`moved ${request.service}'s ports to ${name}: ${balanced.mappings.map((m) => m.text).join(', ')}`);
  } else if (request.listen) {
    out.push(`${name} is published on ${publishEntry(request.listen, balanced.port)}`);
  } else {
    const address = `${name}:${balanced.port}`;
    out.push(`${name} publishes no host port: other services reach it as ${address} (--listen HOST:PORT publishes it)`);
  }
  if (record.createdExpose || record.appendedExpose !== undefined) {
    out.push(`${request.service} now exposes ${balanced.port}`);
  }
  if (config['scale'] !== undefined || config['deploy'] !== undefined) {
    out.push(`${request.service} sets its own replica count (scale/deploy); --scale on the command line overrides it`);
  }
  return out;
}

function warnings({ request, record, config, networking }: AddPlan): string[] {
  const out = [...networking.warnings];
  if (record.commentedContainerName) {
    out.push(
      `commented out container_name: ${String(config['container_name'])} in ${request.service}: ` +
        `a named container cannot be scaled (compose-lb remove ${request.service} puts it back)`,
    );
  }
  return out;
}
