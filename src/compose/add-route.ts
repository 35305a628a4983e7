import { OPTIONS } from '../config';
import { describeRule } from '../routing/route-rule';
import { planAdd, type AddPlan, type AddRequest } from './add-plan';
import { RECORD_KEY, type BalancerRecord } from './add-record';
import { readMappings } from './balanced-port';
import { balancerCheck, dependsOnAppend, recordEdit, serviceListEdit } from './balancer-edits';
import { commentOutKey } from './block-edits';
import { ComposeInputError } from './compose-errors';
import { serviceConfig, type ComposeFile, type ServiceConfig } from './compose-file';
import { environmentValue, type Balancer } from './find-balancer';
import { ROUTED_PORTS_TAG } from './markers';
import type { PortMapping } from './port-spec';
import { checkRewrite, sameAs } from './rewrite-check';
import type { RewriteResult } from './rewrite-result';
import { refuseApart, refuseClash } from './route-target';
import { serviceBlock } from './service-block';
import { serviceAfter, serviceEdits, serviceNotes, serviceWarnings } from './service-edits';
import { applyLineEdits } from './source-text';

/**
 * Adds the service to a balancer already in the file, as one more route: the
 * balancer's LB_SERVICE lists it, labels on the service say which requests it
 * gets, and it is reached through the balancer's port, so its own ports are
 * commented out. The balancer's record says what changed, for `remove`.
 */
export function addRoute(file: ComposeFile, request: AddRequest, lb: Balancer): RewriteResult {
  const { service } = request;
  const record = requireRecord(lb, service);
  if (request.listen) {
    throw new ComposeInputError(
      'ports',
      `--listen is for a balancer of its own; ${service} is reached through ${lb.name}'s port`,
    );
  }
  if (request.socket !== undefined) {
    throw new ComposeInputError(
      'arguments',
      `--socket is for a balancer of its own; ${service} joins ${lb.name}, which keeps reading its replicas as it does`,
    );
  }
  const lbConfig = serviceConfig(file, lb.name);
  const config = serviceConfig(file, service);
  refuseApart(service, config, lb.name, lbConfig);
  const target = targetPortOf(lbConfig);
  // The balancer reaches every service on its one target port: that is the port of a service that publishes none.
  const publishes = readMappings(service, config['ports']).length > 0;
  const assumed = request.port === undefined && !publishes ? target : undefined;
  const plan = planAdd(file, { ...request, port: request.port ?? assumed }, lb.name, true);
  if (target !== undefined && plan.balanced.port !== target) {
    throw new ComposeInputError(
      'ports',
      `${lb.name} forwards to port ${target} (its ${OPTIONS.targetPort.env}) in every service it balances, ` +
        `and ${service} listens on ${plan.balanced.port}; a route must listen on ${target}`,
    );
  }
  refuseClash(file, lb, service, plan.labels.rule);
  const block = serviceBlock(file, lb.name);
  const dependsOn = dependsOnAppend(file, block, service);
  const entry = { ...plan.record, appendedDependsOn: dependsOn !== undefined };
  const after: BalancerRecord = { ...record, routes: [...record.routes, entry] };
  const services = [...lb.services, service];
  const ports = plan.ports ? commentOutKey(file.text, plan.ports, file.label, ROUTED_PORTS_TAG).lines : [];
  const edits = [
    ...serviceEdits(file, plan, ports),
    serviceListEdit(file, block, services),
    recordEdit(file, block, after),
    ...(dependsOn ? [dependsOn] : []),
  ];
  const text = applyLineEdits(file.text, edits);
  const lbCheck = balancerCheck({ before: lbConfig, services, record: after, also: ['depends_on'] });
  checkRewrite(file, text, {
    service,
    checkService: sameAs(serviceAfter(plan)),
    changed: [{ name: lb.name, check: lbCheck }],
  });
  const reached = `${service} publishes no ports: ${lb.name} reaches it on ${assumed}, as every service it balances`;
  const notes = [
    `added ${service} to ${lb.name} (${describeRule(plan.labels.rule)}), forwarding to its port ${plan.balanced.port}`,
    ...portsNote(plan, lb.name, readMappings(lb.name, lbConfig['ports'])),
    ...(assumed === undefined ? [] : [reached]),
    ...serviceNotes(plan),
    `${lb.name} now balances ${services.join(', ')}`,
  ];
  return { text, changed: true, balancer: lb.name, notes, warnings: serviceWarnings(plan) };
}

function requireRecord(lb: Balancer, service: string): BalancerRecord {
  if (lb.record) return lb.record;
  throw new ComposeInputError(
    'not-added-by-us',
    `${lb.name} was not written by compose-lb add (it has no ${RECORD_KEY} record), ` +
      `so compose-lb could not undo a route added to it; ` +
      `add ${service} to its ${OPTIONS.services.env} and give ${service} its compose-lb.* labels by hand`,
  );
}

/** LB_TARGET_PORT as a number; undefined when unset or interpolated (then there is nothing to compare). */
function targetPortOf(lbConfig: ServiceConfig): number | undefined {
  const raw = environmentValue(lbConfig['environment'], OPTIONS.targetPort.env)?.trim();
  return raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : undefined;
}

/** What became of the service's own published ports: requests reach it through the balancer's now. */
function portsNote(plan: AddPlan, lbName: string, lbMappings: readonly PortMapping[]): string[] {
  if (!plan.ports) return [];
  const { service } = plan.request;
  const own = plan.balanced.mappings;
  const where = (ms: readonly PortMapping[]): string =>
    ms
      .map((m) => `${m.hostIp ?? ''}|${m.published ?? ''}`)
      .sort()
      .join();
  const texts = (ms: readonly PortMapping[]): string => ms.map((m) => m.text).join(', ');
  if (where(own) === where(lbMappings)) {
    return [`commented out ${service}'s ports: ${lbName} publishes the same (${texts(own)})`];
  }
  const its =
    lbMappings.length > 0 ? `${lbName}'s ports (${texts(lbMappings)})` : `${lbName}, which publishes no host port`;
  return [`commented out ${service}'s ports (${texts(own)}): it is reached through ${its} instead`];
}
