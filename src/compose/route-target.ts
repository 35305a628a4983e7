import { describeRule, isDefaultRoute, type RouteRule } from '../routing/route-rule';
import type { AddRequest } from './add-plan';
import { ComposeInputError } from './compose-errors';
import { DISCOVERY_NETWORK } from './discovery-service';
import { serviceConfig, serviceNames, type ComposeFile, type ServiceConfig } from './compose-file';
import { balancers, type Balancer } from './find-balancer';
import { scalarList } from './plain-values';
import { routeOfService } from './route-labels';
import { networkingOf } from './service-networks';

/**
 * The HTTP balancer `add` puts the service behind as one more route, or
 * undefined when it writes a balancer of its own: there is no HTTP balancer
 * yet, or `--mode tcp` asks for one (a TCP balancer forwards connections
 * unread, so it cannot route, and balances one service).
 */
export function routeTarget(file: ComposeFile, request: AddRequest): Balancer | undefined {
  const all = balancers(file);
  if (request.mode === 'tcp') {
    if (request.rule !== undefined || request.balancer !== undefined) {
      throw new ComposeInputError(
        'arguments',
        '--host, --path-prefix and --balancer are for HTTP: a TCP balancer forwards connections unread, one service each',
      );
    }
    return undefined;
  }
  if (request.balancer !== undefined) return namedBalancer(file, all, request.balancer);
  const http = all.filter((b) => b.mode === 'http');
  if (http.length > 1) {
    throw new ComposeInputError(
      'arguments',
      `${file.label} has several HTTP balancers (${http.map((b) => b.name).join(', ')}): ` +
        `pass --balancer NAME to say which one routes to ${request.service}`,
    );
  }
  return http[0];
}

function namedBalancer(file: ComposeFile, all: readonly Balancer[], name: string): Balancer {
  const named = all.find((b) => b.name === name);
  if (!named) {
    const known = all.map((b) => b.name).join(', ') || 'none';
    throw new ComposeInputError(
      'no-balancer',
      `--balancer ${name}: no such balancer in ${file.label} (its balancers: ${known})`,
    );
  }
  if (named.mode === 'tcp') {
    throw new ComposeInputError(
      'arguments',
      `--balancer ${name} is a TCP balancer (LB_MODE: tcp): it balances one service and cannot route`,
    );
  }
  return named;
}

/**
 * The balancer finds replicas on the networks it shares with them, and depends
 * on the service: a service it shares no network with, or one Compose may not
 * start when the balancer starts (its profiles), cannot be a route of it.
 */
export function refuseApart(service: string, config: ServiceConfig, lbName: string, lbConfig: ServiceConfig): void {
  const mine = reachableOn(service, config);
  // Discovery's network reaches discovery only: putting a service there would not do.
  const its = reachableOn(lbName, lbConfig).filter((n) => n !== DISCOVERY_NETWORK);
  if (!mine.some((n) => its.includes(n))) {
    throw new ComposeInputError(
      'route',
      `${service} (on ${mine.join(', ')}) shares no network with ${lbName} (on ${its.join(', ')}), ` +
        `so ${lbName} cannot reach it; put ${service} on one of ${lbName}'s networks first`,
    );
  }
  const profiles = scalarList(config['profiles']);
  const lbProfiles = scalarList(lbConfig['profiles']);
  if (profiles.length > 0 && (lbProfiles.length === 0 || lbProfiles.some((p) => !profiles.includes(p)))) {
    const when = lbProfiles.length > 0 ? `with ${lbProfiles.join(', ')}` : 'always';
    throw new ComposeInputError(
      'route',
      `${service} runs only with the profiles ${profiles.join(', ')}, and ${lbName} ${when}: ` +
        `${lbName} would depend on a service Compose does not start; give them the same profiles first`,
    );
  }
}

/** The networks a service is on: Compose's `default` when it names none. */
function reachableOn(name: string, config: ServiceConfig): string[] {
  const { networks, networkMode } = networkingOf(name, config);
  if (networkMode !== undefined) return [`network_mode ${networkMode}`];
  return networks.length > 0 ? [...networks] : ['default'];
}

/**
 * Two services of one balancer must not ask for the same requests: the router
 * would send them all to one of them (src/routing/router.ts), and only one may
 * take what no rule matches.
 */
export function refuseClash(file: ComposeFile, lb: Balancer, service: string, rule: RouteRule): void {
  for (const other of lb.services.filter((s) => serviceNames(file).includes(s))) {
    const theirs = routeOfService(serviceConfig(file, other));
    if (theirs === undefined) continue;
    if (isDefaultRoute(rule) && isDefaultRoute(theirs)) {
      throw new ComposeInputError(
        'route',
        `${lb.name} already sends ${other} every request no rule matches (its default route), ` +
          `so ${service} needs a rule of its own: add it with --host HOST or --path-prefix /PATH`,
      );
    }
    const sameHosts = [...rule.hosts].sort().join() === [...theirs.hosts].sort().join();
    if (sameHosts && rule.pathPrefix === theirs.pathPrefix) {
      throw new ComposeInputError(
        'route',
        `${service} would get the same requests as ${other} on ${lb.name} (${describeRule(theirs)}); ` +
          'give it another --host or --path-prefix',
      );
    }
  }
}
