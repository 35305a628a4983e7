import { isDefaultRoute, type RouteRule } from './route-rule';

/** A routed service: its name and its rule, as its replicas' labels last said. */
export interface Route<T> {
  readonly service: string;
  readonly rule: RouteRule;
  /** What the request goes to (the service's request context). */
  readonly target: T;
}

export interface Match<T> {
  readonly route: Route<T>;
  /** The path to forward: the request's, or without the prefix when the rule strips it. */
  readonly path: string;
}

/**
 * Picks the route for a request, as Traefik and nginx-proxy users expect: a
 * rule with a host beats one without, then the longest path prefix wins; a
 * service without rules takes what no rule matches (the default route). With
 * one service, every request is its own. Pure; rebuilt when routes change.
 */
export class Router<T> {
  private readonly ordered: readonly Route<T>[];
  private readonly fallback: Route<T> | undefined;

  constructor(routes: readonly Route<T>[]) {
    const ruled = routes.filter((r) => !isDefaultRoute(r.rule));
    // Most specific first, so the first match is the best one.
    this.ordered = [...ruled].sort(
      (a, b) =>
        Number(b.rule.hosts.length > 0) - Number(a.rule.hosts.length > 0) ||
        (b.rule.pathPrefix?.length ?? 0) - (a.rule.pathPrefix?.length ?? 0),
    );
    this.fallback = routes.length === 1 ? routes[0] : routes.find((r) => isDefaultRoute(r.rule));
  }

  /** The route for a request's Host header (undefined for none) and raw path; undefined: no route (404). */
  match(host: string | undefined, path: string): Match<T> | undefined {
    if (this.ordered.length === 0) return this.fallback === undefined ? undefined : { route: this.fallback, path };
    const name = host === undefined ? undefined : hostName(host);
    for (const route of this.ordered) {
      const { hosts, pathPrefix, stripPrefix } = route.rule;
      if (hosts.length > 0 && (name === undefined || !hosts.some((h) => hostMatches(h, name)))) continue;
      if (pathPrefix !== undefined && !underPrefix(path, pathPrefix)) continue;
      return { route, path: stripPrefix && pathPrefix !== undefined ? stripped(path, pathPrefix) : path };
    }
    return this.fallback === undefined ? undefined : { route: this.fallback, path };
  }
}

/** The host without its port, lower-cased: `Shop.Example:8080` -> `shop.example`. */
function hostName(host: string): string {
  const end = host.startsWith('[') ? host.indexOf(']') + 1 : host.lastIndexOf(':');
  return (end > 0 ? host.slice(0, end) : host).toLowerCase();
}

/** `*.example.test` takes exactly one label before `example.test`. */
function hostMatches(pattern: string, host: string): boolean {
  if (!pattern.startsWith('*.')) return pattern === host;
  const suffix = pattern.slice(1);
  return host.endsWith(suffix) && host.length > suffix.length && !host.slice(0, -suffix.length).includes('.');
}

/** `/api` covers `/api`, `/api/...` and `/api?...`, not `/apix`: a prefix ends at a segment. */
function underPrefix(path: string, prefix: string): boolean {
  if (!path.startsWith(prefix)) return false;
  const next = path[prefix.length];
  return next === undefined || next === '/' || next === '?';
}

function stripped(path: string, prefix: string): string {
  const rest = path.slice(prefix.length);
  return rest === '' || rest.startsWith('?') ? `/${rest}` : rest;
}
