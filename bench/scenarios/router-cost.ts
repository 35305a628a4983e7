import { Router, type Route } from '../../src/routing/router';
import { DEFAULT_ROUTE } from '../../src/routing/route-rule';

/** What matching one request costs the router, for one rule and for all of them. */
export interface RouterCost {
  readonly matches: number;
  /** Nanoseconds per match. */
  readonly oneRuleNs: number;
  readonly manyRulesNs: number;
}

const MATCHES = 2_000_000;

/**
 * `Router.match` alone, in a loop: the rules' own cost, which whole-proxy
 * rounds on a noisy machine cannot resolve. Routes as the routing scenario's
 * balancers have them (one host rule per service), and the request for the
 * last host, so the many-rules router tries every rule before it matches.
 */
export function measureRouterCost(hosts: readonly string[], matches = MATCHES): RouterCost {
  const routerFor = (list: readonly string[]): Router<number> =>
    new Router(list.map((host, i): Route<number> => ({ service: `s${i}`, rule: { ...DEFAULT_ROUTE, hosts: [host] }, target: i })));
  const host = hosts.at(-1) ?? '';
  const nsPerMatch = (router: Router<number>): number => {
    for (let i = 0; i < matches / 10; i++) router.match(host, '/fast'); // warm-up: optimized code
    const started = process.hrtime.bigint();
    let found = 0;
    for (let i = 0; i < matches; i++) if (router.match(host, '/fast') !== undefined) found++;
    const ns = Number(process.hrtime.bigint() - started) / matches;
    if (found !== matches) throw new Error(`routing: the router matched ${found} of ${matches} requests for ${host}`);
    return ns;
  };
  return { matches, oneRuleNs: nsPerMatch(routerFor([host])), manyRulesNs: nsPerMatch(routerFor(hosts)) };
}
