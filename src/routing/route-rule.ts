/**
 * Which requests go to a service, from labels on the service itself (so
 * `docker compose config` shows them): `compose-lb.host` (exact hosts, or
 * `*.example.test` for one level of subdomain; comma-separated),
 * `compose-lb.path-prefix` and `compose-lb.strip-prefix`. A service with
 * neither is the default route.
 */
export interface RouteRule {
  /** Lower-cased; `*.` names one level of subdomain. Empty: any host. */
  readonly hosts: readonly string[];
  /** Starts with `/`; undefined: any path. */
  readonly pathPrefix: string | undefined;
  /** Remove the prefix from the path before forwarding. */
  readonly stripPrefix: boolean;
}

export const ROUTE_LABELS = {
  host: 'compose-lb.host',
  pathPrefix: 'compose-lb.path-prefix',
  stripPrefix: 'compose-lb.strip-prefix',
} as const;

export const DEFAULT_ROUTE: RouteRule = { hosts: [], pathPrefix: undefined, stripPrefix: false };

const HOST = /^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;
const PATH = /^\/[\x21-\x7e]*$/;

/** A container's routing labels as a rule, or why they are not one. */
export function routeRuleOf(labels: Readonly<Record<string, string>>): RouteRule | string {
  const hostLabel = labels[ROUTE_LABELS.host]?.trim() ?? '';
  const hosts = hostLabel === '' ? [] : hostLabel.split(',').map((h) => h.trim().toLowerCase());
  const bad = hosts.find((h) => !HOST.test(h));
  if (bad !== undefined) return `its label ${ROUTE_LABELS.host} names "${bad}", which is not a host name`;
  const prefix = labels[ROUTE_LABELS.pathPrefix]?.trim() || undefined;
  if (prefix !== undefined && (!PATH.test(prefix) || prefix.includes('?'))) {
    return `its label ${ROUTE_LABELS.pathPrefix}="${prefix}" is not a path (it starts with / and has no spaces or ?)`;
  }
  const strip = labels[ROUTE_LABELS.stripPrefix]?.trim().toLowerCase() ?? '';
  if (!['', 'true', 'false'].includes(strip)) return `its label ${ROUTE_LABELS.stripPrefix}="${strip}" is not true or false`;
  // "/api/" and "/api" mean the same prefix.
  const pathPrefix = prefix === undefined || prefix === '/' ? undefined : prefix.replace(/\/+$/, '');
  return { hosts, pathPrefix, stripPrefix: strip === 'true' && pathPrefix !== undefined };
}

export function sameRule(a: RouteRule, b: RouteRule): boolean {
  return (
    a.pathPrefix === b.pathPrefix &&
    a.stripPrefix === b.stripPrefix &&
    a.hosts.length === b.hosts.length &&
    a.hosts.every((h, i) => h === b.hosts[i])
  );
}

export function isDefaultRoute(rule: RouteRule): boolean {
  return rule.hosts.length === 0 && rule.pathPrefix === undefined;
}

export function describeRule(rule: RouteRule): string {
  if (isDefaultRoute(rule)) return 'default route';
  const host = rule.hosts.length === 0 ? '' : `host ${rule.hosts.join(', ')}`;
  const path = rule.pathPrefix === undefined ? '' : `path ${rule.pathPrefix}${rule.stripPrefix ? ' (stripped)' : ''}`;
  return [host, path].filter(Boolean).join(', ');
}
