import { isDeepStrictEqual } from 'node:util';
import { OPTIONS } from '../config';
import { describeRule } from '../routing/route-rule';
import { planAdd, type AddPlan, type AddRequest } from './add-plan';
import { readRecord } from './add-record';
import { addRoute } from './add-route';
import { balancerLines } from './balancer-block';
import { insertAfterService } from './block-edits';
import { ComposeInputError } from './compose-errors';
import { requireService, serviceNames, type ComposeFile, type ServiceConfig } from './compose-file';
import { isOurDiscovery, planDiscovery, type DiscoveryPlan } from './discovery-plan';
import { checkDiscovery, discoveryLines, DISCOVERY_NETWORK, DISCOVERY_SERVICE, DISCOVERY_URL } from './discovery-service';
import { balancerOf, balancers, environmentValue } from './find-balancer';
import { publishEntry } from './listen-address';
import { portsMarker } from './markers';
import { scalarList } from './plain-values';
import { checkRewrite, sameAs } from './rewrite-check';
import { unchanged, type RewriteResult } from './rewrite-result';
import { routeTarget } from './route-target';
import { serviceAfter, serviceEdits, serviceNotes, serviceWarnings } from './service-edits';
import { applyLineEdits, type LineEdit } from './source-text';
import { hostAddressWarnings, refuseUnstackable, swarmLayout } from './swarm-stack';

export type { AddRequest } from './add-plan';

/**
 * Puts a balancer service in front of `service`: the balancer takes over its
 * published ports, the service keeps an `expose` of its port and loses its
 * container_name (commented out), so `docker compose up --scale` can run many.
 * Where the file has an HTTP balancer already, the service joins it as a
 * route instead (add-route.ts). Pure: text in, text out; every byte it does
 * not need to change stays.
 */
export function addBalancer(file: ComposeFile, asked: AddRequest): RewriteResult {
  const { service } = asked;
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
  const req = { ...asked, swarm: swarmLayout(file, asked) };
  if (req.swarm) refuseUnstackable(file, req);
  const target = routeTarget(file, req);
  if (target) return addRoute(file, req, target);
  const plan = planAdd(file, req, freeName(file, service), false);
  const discovery = planDiscovery(file, req, plan.networking);
  const text = applyLineEdits(file.text, editsFor(file, plan, discovery));
  verify(file, plan, discovery, text);
  const moved = plan.record.movedPorts ? plan.balanced.mappings : [];
  const hostAddresses = req.swarm ? hostAddressWarnings(service, plan.name, moved) : [];
  const warnings = [...serviceWarnings(plan), ...gidWarning(req, discovery), ...hostAddresses];
  return { text, changed: true, balancer: plan.name, notes: notes(plan, discovery), warnings };
}

function editsFor(file: ComposeFile, plan: AddPlan, discovery: DiscoveryPlan | undefined): LineEdit[] {
  const { block, indents, ports, name, request } = plan;
  const portsLines = ports ? file.text.lines.slice(ports.first, ports.last + 1) : listenLines(plan);
  const spec = {
    name,
    service: request.service,
    mode: request.mode ?? 'http',
    image: request.image,
    pinnedFrom: request.pinnedFrom,
    port: plan.balanced.port,
    dockerGid: request.dockerGid,
    portsLines,
    ...plan.networking,
    profiles: profilesOf(plan.config),
    record: plan.record,
    discovery: discovery?.record,
  };
  const keyIndent = ' '.repeat(block.column);
  const services = [
    balancerLines(spec, keyIndent, indents),
    ...(discovery?.record.createdService ? [discoveryLines(spec, keyIndent, indents)] : []),
  ];
  return [
    ...serviceEdits(file, plan, [portsMarker(indents.body, name)]),
    insertAfterService(file.text, block, services),
    ...(discovery?.network ? [discovery.network.edit] : []),
  ];
}

/**
 * The service loses what moved, gains the expose; the balancer publishes what
 * the service did; discovery and its network are there when they were not.
 */
function verify(file: ComposeFile, plan: AddPlan, discovery: DiscoveryPlan | undefined, text: string): void {
  const { config, request, balanced } = plan;
  const published = plan.ports
    ? config['ports']
    : request.listen
      ? [publishEntry(request.listen, balanced.port)]
      : undefined;
  const balancer = {
    name: plan.name,
    check: (lb: ServiceConfig) => checkBalancer(lb, request.service, published, discovery),
  };
  const created = discovery?.record.createdService === true;
  const added = created ? [{ name: DISCOVERY_SERVICE, check: checkDiscovery(request.swarm === true) }] : [];
  checkRewrite(file, text, {
    service: request.service,
    checkService: sameAs(serviceAfter(plan)),
    added: [balancer, ...added],
    ...(discovery?.network ? { networks: { after: discovery.networksAfter } } : {}),
  });
}

/** `service` must not be a balancer itself, or compose-lb's discovery. */
function refuseBalancer(file: ComposeFile, service: string): void {
  const itself = balancers(file).find((b) => b.name === service);
  if (itself) {
    throw new ComposeInputError(
      'name-taken',
      `${service} is a balancer itself (for ${itself.services.join(', ')}); name the service to balance`,
    );
  }
  if (service === DISCOVERY_SERVICE && isOurDiscovery(file)) {
    throw new ComposeInputError(
      'name-taken',
      `${service} is compose-lb's discovery, which its balancers read replicas from; name the service to balance`,
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

function checkBalancer(
  lb: ServiceConfig,
  service: string,
  ports: unknown,
  discovery: DiscoveryPlan | undefined,
): string | undefined {
  if (!isDeepStrictEqual(lb['ports'], ports)) return `the balancer would not publish ${service}'s ports as they were`;
  if (readRecord(lb)?.first?.service !== service) return 'the balancer would lose its x-compose-lb record';
  const url = environmentValue(lb['environment'], OPTIONS.discoveryUrl.env);
  const networks = scalarList(lb['networks']);
  if (discovery && (url !== DISCOVERY_URL || !networks.includes(DISCOVERY_NETWORK))) {
    return `the balancer would not read its replicas from ${DISCOVERY_SERVICE}`;
  }
  return undefined;
}

/** A guessed socket group matters where add writes one: beside the socket, in the balancer or a new discovery. */
function gidWarning(request: AddRequest, discovery: DiscoveryPlan | undefined): string[] {
  const writesGroup = discovery === undefined || discovery.record.createdService;
  return writesGroup && request.dockerGidWarning !== undefined ? [request.dockerGidWarning] : [];
}

function notes(plan: AddPlan, discovery: DiscoveryPlan | undefined): string[] {
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
  return [...out, ...(discovery ? [discoveryNote(name, discovery)] : []), ...swarmNote(plan), ...serviceNotes(plan)];
}

/** What --swarm wrote differently, so a reader of the notes is not surprised by the file. */
function swarmNote({ request }: AddPlan): string[] {
  if (!request.swarm) return [];
  return [
    'written for docker stack deploy (--swarm, as for the whole file): restart policies under deploy, ' +
      "the socket's group as discovery's user group; no expose or security_opt, which a stack ignores",
  ];
}

function discoveryNote(name: string, { record }: DiscoveryPlan): string {
  const kind = record.swarm ? 'internal overlay network' : 'internal network';
  const network = record.createdNetwork ? ` over the new ${kind} ${DISCOVERY_NETWORK}` : '';
  if (!record.createdService) {
    return `${name} reads its replicas from ${DISCOVERY_SERVICE}, which the file has already${network}`;
  }
  const added = `added ${DISCOVERY_SERVICE}, the only service with the Docker socket${record.swarm ? ', on a manager' : ''}`;
  return `${added}: ${name} reads its replicas from it${network}`;
}
