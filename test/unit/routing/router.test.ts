import { DEFAULT_ROUTE, describeRule, routeRuleOf, type RouteRule } from '../../../src/routing/route-rule';
import { Router, type Route } from '../../../src/routing/router';

const rule = (labels: Record<string, string>): RouteRule => {
  const parsed = routeRuleOf(labels);
  if (typeof parsed === 'string') throw new Error(parsed);
  return parsed;
};

/** The stack of the issue: a web front end (default), an API under /api (stripped) and an admin app by host. */
const STACK: Route<string>[] = [
  { service: 'web', rule: DEFAULT_ROUTE, target: 'web' },
  { service: 'api', rule: rule({ 'compose-lb.path-prefix': '/api', 'compose-lb.strip-prefix': 'true' }), target: 'api' },
  { service: 'admin', rule: rule({ 'compose-lb.host': 'admin.localhost' }), target: 'admin' },
];

const where = (router: Router<string>, host: string | undefined, path: string): string => {
  const match = router.match(host, path);
  return match === undefined ? '404' : `${match.route.target} ${match.path}`;
};

describe('Router', () => {
  it.each<[string | undefined, string, string]>([
    ['shop.localhost', '/', 'web /'],
    ['shop.localhost', '/cart?id=1', 'web /cart?id=1'],
    ['shop.localhost', '/api', 'api /'],
    ['shop.localhost', '/api/users?x=1', 'api /users?x=1'],
    ['shop.localhost', '/api?x=1', 'api /?x=1'],
    ['shop.localhost', '/apix', 'web /apix'],
    ['admin.localhost', '/', 'admin /'],
    ['ADMIN.localhost:8080', '/api/users', 'admin /api/users'],
    [undefined, '/api/a', 'api /a'],
  ])('sends %s %s to %s', (host, path, expected) => {
    expect(where(new Router(STACK), host, path)).toBe(expected);
  });

  it('answers nothing (404) for a request no rule matches when there is no default route', () => {
    const router = new Router(STACK.filter((r) => r.service !== 'web'));
    expect(where(router, 'shop.localhost', '/')).toBe('404');
    expect(where(router, 'admin.localhost', '/')).toBe('admin /');
  });

  it('lets the longest path prefix win, and a host rule beat a path rule', () => {
    const router = new Router<string>([
      { service: 'a', rule: rule({ 'compose-lb.path-prefix': '/a' }), target: 'a' },
      { service: 'ab', rule: rule({ 'compose-lb.path-prefix': '/a/b' }), target: 'ab' },
      { service: 'h', rule: rule({ 'compose-lb.host': 'h.test' }), target: 'h' },
    ]);
    expect(where(router, 'x.test', '/a/b/c')).toBe('ab /a/b/c');
    expect(where(router, 'x.test', '/a/c')).toBe('a /a/c');
    expect(where(router, 'h.test', '/a/b')).toBe('h /a/b');
  });

  it.each<[string, string, boolean]>([
    ['*.example.test', 'shop.example.test', true],
    ['*.example.test', 'example.test', false],
    ['*.example.test', 'a.b.example.test', false],
    ['*.example.test', 'shopexample.test', false],
    ['api.localhost, api2.localhost', 'api2.localhost', true],
  ])('host pattern %s matches %s: %s', (pattern, host, matches) => {
    const router = new Router([{ service: 's', rule: rule({ 'compose-lb.host': pattern }), target: 's' }, STACK[0]!]);
    expect(router.match(host, '/')?.route.service).toBe(matches ? 's' : 'web');
  });

  it('sends everything to a lone service, whatever its rules', () => {
    const router = new Router([STACK[2]!]);
    expect(where(router, 'other.host', '/x')).toBe('admin /x');
  });
});

describe('routeRuleOf', () => {
  it.each<[string, Record<string, string>, string]>([
    ['no labels', {}, 'default route'],
    ['a host list', { 'compose-lb.host': 'API.localhost, *.api.test' }, 'host api.localhost, *.api.test'],
    ['a prefix with a trailing slash', { 'compose-lb.path-prefix': '/api/' }, 'path /api'],
    ['a stripped prefix', { 'compose-lb.path-prefix': '/api', 'compose-lb.strip-prefix': 'TRUE' }, 'path /api (stripped)'],
    ['a prefix of / (everything)', { 'compose-lb.path-prefix': '/' }, 'default route'],
  ])('reads %s', (_name, labels, description) => {
    expect(describeRule(rule(labels))).toBe(description);
  });

  it.each<[Record<string, string>, RegExp]>([
    [{ 'compose-lb.host': 'a b' }, /not a host name/],
    [{ 'compose-lb.host': 'a.*.test' }, /not a host name/],
    [{ 'compose-lb.path-prefix': 'api' }, /is not a path/],
    [{ 'compose-lb.path-prefix': '/api?x' }, /is not a path/],
    [{ 'compose-lb.strip-prefix': 'yes' }, /is not true or false/],
  ])('refuses %j', (labels, message) => {
    expect(routeRuleOf(labels)).toMatch(message);
  });
});
