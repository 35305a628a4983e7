import { isDeepStrictEqual } from 'node:util';
import { describeRule } from '../routing/route-rule';
import { planAdd, type AddPlan, type AddRequest } from './add-plan';
import { readRecord } from './add-record';
import { addRoute } from './add-route';
import { balancerLines } from './balancer-block';
import { insertAfterService } from './block-edits';
import { ComposeInputError } from './compose-errors';
import { requireService, serviceNames, type ComposeFile, type ServiceConfig } from './compose-file';
import { balancerOf, balancers } from './find-balancer';
import { publishEntry } from './listen-address';
import { portsMarker } from './markers';
import { checkRewrite, sameAs } from './rewrite-check';
import { unchanged, type RewriteResult } from './rewrite-result';
import { routeTarget } from './route-target';
import { serviceAfter, serviceEdits, serviceNotes, serviceWarnings } from './service-edits';
import { applyLineEdits, type LineEdit } from './source-text';

export type { AddRequest } from './add-plan';

/**
 * Puts a balancer service in front of `service`: the balancer takes over its
 * published ports, the service keeps an `expose` of its port and loses its
 * container_name (commented out), so `docker compose up --scale` can run many.
 * Where the file has an HTTP balancer already, the service joins it as a
 * route instead (add-route.ts). Pure: text in, text out; every byte it does
 * not need to change stays.
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
  refuseBalancer(file, service);
  const target = routeTarget(file, req);
  if (target) return addRoute(file, req, target);
  const plan = planAdd(file, req, freeName(file, service), false);
  const text = applyLineEdits(file.text, editsFor(file, plan));
  verify(file, plan, text);
  return { text, changed: true, balancer: plan.name, notes: notes(plan), warnings: serviceWarnings(plan) };
}

function editsFor(file: ComposeFile, plan: AddPlan): LineEdit[] {
  const { block, indents, ports, name } = plan;
  const portsLines = ports ? file.text.lines.slice(ports.first, ports.last + 1) : listenLines(plan);
  const spec = {
    name,
    service: plan.request.service,
    mode: plan.request.mode ?? 'http',
    image: plan.request.image,
    pinnedFrom: plan.request.pinnedFrom,
    port: plan.balanced.port,
    dockerGid: plan.request.dockerGid,
    portsLines,
    ...plan.networking,
    profiles: profilesOf(plan.config),
    record: plan.record,
  };
  return [
    ...serviceEdits(file, plan, [portsMarker(indents.body, name)]),
    insertAfterService(file.text, block, balancerLines(spec, ' '.repeat(block.column), indents)),
  ];
}

/** The service loses what moved, gains the expose; the balancer publishes what the service did. */
function verify(file: ComposeFile, plan: AddPlan, text: string): void {
  const { config, request, balanced } = plan;
  const published = plan.ports
    ? config['ports']
    : request.listen
      ? [publishEntry(request.listen, balanced.port)]
      : undefined;
  checkRewrite(file, text, {
    service: request.service,
    checkService: sameAs(serviceAfter(plan)),
    added: { name: plan.name, check: (lb) => checkBalancer(lb, request.service, published) },
  });
}

/** `service` must not be a balancer itself. */
function refuseBalancer(file: ComposeFile, service: string): void {
  const itself = balancers(file).find((b) => b.name === service);
  if (itself) {
    throw new ComposeInputError(
      'name-taken',
      `${service} is a balancer itself (for ${itself.services.join(', ')}); name the service to balance`,
    );
  }
}

/** The balancer's name, once sure it is free. */
function freeName(file: ComposeFile, service: string): string {
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

function checkBalancer(lb: ServiceConfig, service: string, ports: unknown): string | undefined {
  if (!isDeepStrictEqual(lb['ports'], ports)) return `the balancer would not publish ${service}'s ports as they were`;
  if (readRecord(lb)?.first?.service !== service) return 'the balancer would lose its x-compose-lb record';
  return undefined;
}

function notes(plan: AddPlan): string[] {
  const { request, name, balanced, record, labels } = plan;
  const image = request.pinnedFrom === undefined ? request.image : `${request.pinnedFrom}, pinned to ${request.image}`;
  const kind = request.mode === 'tcp' ? ', TCP: connections forwarded unread' : '';
  const added = `added ${name} (${image}${kind}) in front of ${request.service}, forwarding to its port ${balanced.port}`;
  const out = [added];
  if (record.movedPorts) {
    out.push(`moved ${request.service}'s ports to ${name}: ${balanced.mappings.map((m) => m.text).join(', ')}`);
  } else if (request.listen) {
    out.push(`${name} is published on ${publishEntry(request.listen, balanced.port)}`);
  } else {
    const address = `${name}:${balanced.port}`;
    out.push(`${name} publishes no host port: other services reach it as ${address} (--listen HOST:PORT publishes it)`);
  }
  if (record.addedLabels.length > 0) {
    const route = describeRule(labels.rule);
    out.push(`labelled ${request.service} (${route}): the route counts once ${name} balances other services too`);
  }
  return [...out, ...serviceNotes(plan)];
}
