import { addBalancer, type AddRequest } from '../../../src/compose/add-balancer';
import { ComposeInputError, type ComposeProblem } from '../../../src/compose/compose-errors';
import { balancerOf, balancers } from '../../../src/compose/find-balancer';
import { removeBalancer } from '../../../src/compose/remove-balancer';
import type { RuleRequest } from '../../../src/compose/route-labels';
import { compose, fixture, thrown } from './fixtures';

// `add` on a file that has an HTTP balancer: the service joins it as a route.
// The fixtures route-* hold whole files; these are the decisions and refusals.

const f = fixture('route-path-prefix');
/** route-path-prefix with web behind web-lb: what `add api` finds. */
const withWeb = addBalancer(compose(f.input), f.request).text;
/** withWeb with `lines` (YAML at api's key indentation) written into api before its environment. */
const apiWith = (lines: string): string =>
  withWeb.replace('    environment:\n      LOG_LEVEL', `${lines}\n    environment:\n      LOG_LEVEL`);

const rule = (over: Partial<RuleRequest>): RuleRequest => ({
  host: undefined,
  pathPrefix: undefined,
  stripPrefix: false,
  ...over,
});
const request = (service: string, over: Partial<AddRequest> = {}): AddRequest => ({ ...f.request, service, ...over });
const add = (text: string, service: string, over: Partial<AddRequest> = {}): string =>
  addBalancer(compose(text), request(service, over)).text;

function refusal(text: string, req: AddRequest): ComposeInputError {
  const err = thrown(() => addBalancer(compose(text), req));
  if (!(err instanceof ComposeInputError)) throw err;
  return err;
}

describe('add SERVICE where the file has an HTTP balancer', () => {
  it('routes SERVICE through it and says what became of its ports', () => {
    const api = request('api', { rule: rule({ pathPrefix: '/api', stripPrefix: true }) });
    const result = addBalancer(compose(withWeb), api);
    expect(result).toMatchObject({ changed: true, balancer: 'web-lb', warnings: [] });
    expect(result.notes).toEqual([
      'added api to web-lb (path /api (stripped)), forwarding to its port 80',
      "commented out api's ports (127.0.0.1:8081:80): it is reached through web-lb's ports (8080:80) instead",
      'api now exposes 80',
      'web-lb now balances web, api',
    ]);
    expect(balancerOf(compose(result.text), 'api')?.name).toBe('web-lb');
  });

  it('says so when the ports it comments out are those the balancer publishes', () => {
    const same = withWeb.replace('"127.0.0.1:8081:80" # for local debugging', '"8080:80"');
    const result = addBalancer(compose(same), request('api', { rule: rule({ host: 'api.localhost' }) }));
    expect(result.notes).toContain("commented out api's ports: web-lb publishes the same (8080:80)");
  });

  it('takes the balancer of --balancer where the file has several, and refuses to guess otherwise', () => {
    // A second HTTP balancer, as an older compose-lb or a hand edit leaves: db's, made HTTP.
    const two = add(withWeb, 'db', { mode: 'tcp', port: 80 }).replace('      LB_MODE: tcp\n', '');
    expect(balancers(compose(two)).map((b) => b.name)).toEqual(['web-lb', 'db-lb']);
    const api = request('api', { rule: rule({ host: 'api.localhost' }) });
    const err = refusal(two, api);
    expect(err).toMatchObject({ problem: 'arguments' });
    expect(err.message).toBe(
      'compose.yaml has several HTTP balancers (web-lb, db-lb): pass --balancer NAME to say which one routes to api',
    );
    const routed = addBalancer(compose(two), { ...api, balancer: 'db-lb' });
    expect(balancerOf(compose(routed.text), 'api')?.name).toBe('db-lb');
    expect(removeBalancer(compose(routed.text), 'api').text).toBe(two);
  });

  it('takes the rule a service has in its labels already, writing none', () => {
    const labelled = apiWith('    labels:\n      compose-lb.host: api.localhost');
    const result = addBalancer(compose(labelled), request('api'));
    expect(result.notes[0]).toBe('added api to web-lb (host api.localhost), forwarding to its port 80');
    expect(result.text).not.toContain('added-labels');
    expect(removeBalancer(compose(result.text), 'api').text).toBe(labelled);
  });

  it('keeps a label mapping, adding to it, and gives it back byte for byte', () => {
    const labelled = apiWith('    labels:\n      team: shop # pager');
    const text = add(labelled, 'api', { rule: rule({ host: '*.api.localhost' }) });
    expect(text).toContain('    labels:\n      team: shop # pager\n      compose-lb.host: "*.api.localhost"\n');
    expect(removeBalancer(compose(text), 'api').text).toBe(labelled);
  });

  it('appends to a flow list of labels, and takes its items out again', () => {
    const labelled = apiWith('    labels: ["team=shop"]');
    const text = add(labelled, 'api', { rule: rule({ pathPrefix: '/api', stripPrefix: true }) });
    expect(text).toContain(
      '    labels: ["team=shop", "compose-lb.path-prefix=/api", "compose-lb.strip-prefix=true"]\n',
    );
    expect(removeBalancer(compose(text), 'api').text).toBe(labelled);
  });

  it('keeps labels the user added to the labels key add wrote', () => {
    const text = add(withWeb, 'api', { rule: rule({ pathPrefix: '/api' }) }).replace(
      '      compose-lb.path-prefix: /api\n',
      '      compose-lb.path-prefix: /api\n      team: shop\n',
    );
    const removed = removeBalancer(compose(text), 'api').text;
    expect(removed).toContain('    labels:\n      team: shop\n');
    expect(removed).not.toContain('compose-lb.path-prefix');
  });

  it('leaves depends_on alone when the balancer has it as a mapping', () => {
    const mapped = withWeb.replace(
      '    depends_on:\n      - web\n      - compose-lb-discovery\n',
      '    depends_on:\n      web:\n        condition: service_started\n      compose-lb-discovery:\n        condition: service_healthy\n',
    );
    const text = add(mapped, 'api', { rule: rule({ pathPrefix: '/api' }) });
    expect(text).not.toContain('appended-depends-on');
    expect(text).toContain('      web:\n        condition: service_started\n');
    expect(removeBalancer(compose(text), 'api').text).toBe(mapped);
  });

  it('edits LB_SERVICE in a list-form environment, quoted as it was, and keeps what the user tuned', () => {
    const tuned = withWeb.replace(
      '      LB_SERVICE: web\n      LB_TARGET_PORT: "80"\n      LB_LISTEN_PORT: "80"\n      LB_DISCOVERY_URL: http://compose-lb-discovery:8082\n',
      '      - LB_SERVICE=web\n      - LB_TARGET_PORT=80\n      - LB_STRATEGY=least-conn # slow requests\n      - LB_DISCOVERY_URL=http://compose-lb-discovery:8082\n',
    );
    const text = add(tuned, 'api', { rule: rule({ host: 'api.localhost' }) });
    expect(text).toContain(
      '      - LB_SERVICE=web,api\n      - LB_TARGET_PORT=80\n      - LB_STRATEGY=least-conn # slow requests\n',
    );
    expect(removeBalancer(compose(text), 'api').text).toBe(tuned);
    for (const [quoted, joined] of [
      [`"web"`, `"web,api"`],
      [`'web'`, `'web,api'`],
    ]) {
      const before = withWeb.replace('LB_SERVICE: web\n', `LB_SERVICE: ${quoted}\n`);
      const routed = add(before, 'api', { rule: rule({ host: 'api.localhost' }) });
      expect(routed).toContain(`LB_SERVICE: ${joined}\n`);
      expect(removeBalancer(compose(routed), 'api').text).toBe(before);
    }
  });
});

describe('add as a route refuses, exit 2 and nothing written', () => {
  const path = rule({ pathPrefix: '/api' });
  it.each<[string, string, Partial<AddRequest>, ComposeProblem, string]>([
    [
      'a second default route',
      'api',
      {},
      'route',
      'web-lb already sends web every request no rule matches (its default route), ' +
        'so api needs a rule of its own: add it with --host HOST or --path-prefix /PATH',
    ],
    [
      '--listen',
      'api',
      { rule: path, listen: { host: undefined, port: 9000 } },
      'ports',
      "--listen is for a balancer of its own; api is reached through web-lb's port",
    ],
    [
      'another container port',
      'api',
      { rule: path, port: 8000 },
      'ports',
      '--port 8000 does not match the container port api publishes (80)',
    ],
    [
      'a service on no network of the balancer',
      'db',
      { rule: path, port: 80 },
      'route',
      "db (on back) shares no network with web-lb (on front), so web-lb cannot reach it; put db on one of web-lb's networks first",
    ],
    [
      '--strip-prefix alone',
      'api',
      { rule: rule({ stripPrefix: true }) },
      'arguments',
      '--strip-prefix needs --path-prefix: it says to take that prefix off',
    ],
    [
      'a host that is none',
      'api',
      { rule: rule({ host: 'api_x' }) },
      'route',
      'cannot route requests to api: its label compose-lb.host names "api_x", which is not a host name',
    ],
    [
      '--path-prefix /',
      'api',
      { rule: rule({ pathPrefix: '/' }) },
      'route',
      '--host and --path-prefix as given match every request; name a host, or a path below /',
    ],
    [
      '--balancer that names none',
      'api',
      { rule: path, balancer: 'api-lb' },
      'no-balancer',
      '--balancer api-lb: no such balancer in compose.yaml (its balancers: web-lb)',
    ],
    [
      '--mode tcp with a rule',
      'api',
      { rule: path, mode: 'tcp' },
      'arguments',
      '--host, --path-prefix and --balancer are for HTTP: a TCP balancer forwards connections unread, one service each',
    ],
  ])('%s', (_what, service, over, problem, message) => {
    const err = refusal(withWeb, request(service, over));
    expect({ problem: err.problem, message: err.message }).toEqual({ problem, message });
  });

  it('a service that listens on another port than the balancer forwards to', () => {
    const other = withWeb.replace('"127.0.0.1:8081:80"', '"127.0.0.1:8081:8000"');
    expect(refusal(other, request('api', { rule: path })).message).toBe(
      'web-lb forwards to port 80 (its LB_TARGET_PORT) in every service it balances, ' +
        'and api listens on 8000; a route must listen on 80',
    );
  });

  it('the requests another service of the balancer gets', () => {
    const text = add(withWeb, 'api', { rule: rule({ host: 'shop.localhost', pathPrefix: '/api' }) });
    const again = text.replace('  db:\n', '  api2:\n    image: x\n    networks: [front]\n  db:\n');
    const api2 = request('api2', { rule: rule({ host: 'shop.localhost', pathPrefix: '/api/' }) });
    expect(refusal(again, api2).message).toBe(
      'api2 would get the same requests as api on web-lb (host shop.localhost, path /api); ' +
        'give it another --host or --path-prefix',
    );
  });

  it('a label the service has already, or labels it only merges in, or writes in flow style', () => {
    const labelled = apiWith('    labels:\n      compose-lb.path-prefix: /v1');
    expect(refusal(labelled, request('api', { rule: path })).message).toBe(
      'api already has the label compose-lb.path-prefix="/v1"; leave out the option that sets it, or remove the label first',
    );
    const merged = `x-team: &team\n  labels:\n    team: shop\n${apiWith('    <<: *team')}`;
    expect(refusal(merged, request('api', { rule: path })).problem).toBe('merged-key');
    expect(refusal(apiWith('    labels: {team: shop}'), request('api', { rule: path })).message).toMatch(
      /api's "labels" is neither a block mapping nor a list/,
    );
  });

  it('a service with profiles the balancer does not have', () => {
    expect(refusal(apiWith('    profiles: [debug]'), request('api', { rule: path })).message).toBe(
      'api runs only with the profiles debug, and web-lb always: ' +
        'web-lb would depend on a service Compose does not start; give them the same profiles first',
    );
  });

  it('a balancer compose-lb did not write: it could not undo the route', () => {
    const handWritten = fixture('already-balanced').input.replace(
      '    expose:\n      - "80"\n',
      '    expose:\n      - "80"\n  api:\n    image: x\n    expose: ["80"]\n',
    );
    const err = refusal(handWritten, request('api', { rule: path }));
    expect(err.problem).toBe('not-added-by-us');
    expect(err.message).toMatch(/^web-lb was not written by compose-lb add \(it has no x-compose-lb record\)/);
  });
});

describe('add --mode tcp', () => {
  it('writes a balancer of its own with LB_MODE tcp, beside an HTTP one, and routes never go to it', () => {
    const result = addBalancer(compose(withWeb), request('db', { mode: 'tcp', port: 5432 }));
    expect(result.notes[0]).toBe(
      'added db-lb (compose-lb:0.1.0, TCP: connections forwarded unread) in front of db, forwarding to its port 5432',
    );
    expect(result.text).toMatch(/ {2}db-lb:\n {4}image: .*\n {4}environment:\n {6}LB_SERVICE: db\n {6}LB_MODE: tcp\n/);
    const file = compose(result.text);
    expect(balancers(file).map((b) => [b.name, b.mode])).toEqual([
      ['web-lb', 'http'],
      ['db-lb', 'tcp'],
    ]);
    const api = request('api', { rule: rule({ pathPrefix: '/api' }) });
    expect(balancerOf(compose(addBalancer(file, api).text), 'api')?.name).toBe('web-lb');
    expect(refusal(result.text, { ...api, balancer: 'db-lb' }).message).toBe(
      '--balancer db-lb is a TCP balancer (LB_MODE: tcp): it balances one service and cannot route',
    );
    expect(removeBalancer(file, 'db').text).toBe(withWeb);
  });
});
