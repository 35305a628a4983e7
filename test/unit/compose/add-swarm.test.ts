import { addBalancer, type AddRequest } from '../../../src/compose/add-balancer';
import { readRecord } from '../../../src/compose/add-record';
import { parseListenAddress } from '../../../src/compose/listen-address';
import { serviceConfig, serviceNames } from '../../../src/compose/compose-file';
import { removeBalancer } from '../../../src/compose/remove-balancer';
import { isRecord } from '../../../src/compose/plain-values';
import { compose, fixture, thrown } from './fixtures';

// add --swarm: the decisions and refusals; the fixtures swarm-routes and
// swarm-tcp hold whole files, checked with both Compose flavours.

const add = (text: string, request: AddRequest): string => addBalancer(compose(text), request).text;
const web = fixture('swarm-routes');
const webRequest = web.request;
const shop = fixture('two-balancers');
const ledger = fixture('swarm-tcp');

/**
 * What docker stack deploy reads, from docker/cli: the keys a service may
 * have (cli/compose/schema/data/config_schema_v3.13.json, definitions.service;
 * any other but `x-*` fails the schema), and those it drops with a warning
 * (cli/compose/types/types.go, UnsupportedProperties and DeprecatedProperties).
 */
const STACK_SERVICE_KEYS = new Set([
  'build', 'cap_add', 'cap_drop', 'cgroup_parent', 'cgroupns_mode', 'command', 'configs', 'container_name',
  'credential_spec', 'depends_on', 'deploy', 'devices', 'dns', 'dns_search', 'domainname', 'entrypoint', 'env_file',
  'environment', 'expose', 'external_links', 'extra_hosts', 'healthcheck', 'hostname', 'image', 'init', 'ipc',
  'isolation', 'labels', 'links', 'logging', 'mac_address', 'network_mode', 'networks', 'oom_score_adj', 'pid',
  'ports', 'privileged', 'read_only', 'restart', 'secrets', 'security_opt', 'shm_size', 'stdin_open',
  'stop_grace_period', 'stop_signal', 'sysctls', 'tmpfs', 'tty', 'ulimits', 'user', 'userns_mode', 'volumes',
  'working_dir',
]);
const STACK_IGNORES = new Set([
  'build', 'cgroupns_mode', 'cgroup_parent', 'devices', 'domainname', 'external_links', 'ipc', 'links',
  'mac_address', 'network_mode', 'pid', 'privileged', 'restart', 'security_opt', 'shm_size', 'userns_mode',
  'container_name', 'expose',
]);

/** What docker stack deploy would refuse or ignore in the services `add` wrote or changed. */
function stackProblems(before: string, after: string): string[] {
  const old = compose(before);
  const file = compose(after);
  return serviceNames(file).flatMap((name) => {
    const was = serviceNames(old).includes(name) ? serviceConfig(old, name) : {};
    const keys = Object.keys(serviceConfig(file, name)).filter((k) => !(k in was) && !k.startsWith('x-'));
    return keys.flatMap((k) =>
      !STACK_SERVICE_KEYS.has(k) ? [`${name}.${k} refused`] : STACK_IGNORES.has(k) ? [`${name}.${k} ignored`] : [],
    );
  });
}

describe('what add --swarm writes, as docker stack deploy reads it', () => {
  it.each([
    ['swarm-routes', web],
    ['swarm-tcp', ledger],
  ])('%s: nothing the stack schema refuses, nothing a stack ignores', (_name, f) => {
    let text = f.input;
    for (const request of f.requests) {
      const next = add(text, request);
      expect(stackProblems(text, next)).toEqual([]);
      text = next;
    }
  });

  it('the check itself fails on the Compose layout: group_add, restart, security_opt and expose', () => {
    const problems = stackProblems(shop.input, shop.expectedAdd ?? '');
    expect(problems).toEqual(
      expect.arrayContaining([
        'web.expose ignored',
        'web-lb.security_opt ignored',
        'web-lb.restart ignored',
        'compose-lb-discovery.group_add refused',
      ]),
    );
  });

  it('discovery runs on a manager, for Swarm, reading the socket as the user group; the network is an internal overlay', () => {
    const file = compose(web.expectedAdd ?? '');
    expect(serviceConfig(file, 'compose-lb-discovery')).toMatchObject({
      environment: { LB_PLATFORM: 'swarm' },
      user: '1000:${DOCKER_GID:-999}',
      deploy: { placement: { constraints: ['node.role == manager'] }, restart_policy: { condition: 'any' } },
    });
    expect(file.model['networks']).toEqual({ 'compose-lb': { driver: 'overlay', internal: true } });
    expect(readRecord(serviceConfig(file, 'web-lb'))?.discovery).toEqual({
      createdService: true,
      createdNetwork: true,
      createdNetworksKey: true,
      swarm: true,
    });
  });
});

describe("the service's replica count", () => {
  const service = (text: string, name = 'web'): Record<string, unknown> => ({ ...serviceConfig(compose(text), name) });
  const withDeploy = (deploy: string): string => web.input.replace(/ {4}deploy:\n(?: {6,}.*\n)+/, deploy);

  it('is a new deploy.replicas, or one appended to its own deploy, which remove takes out again', () => {
    const bare = withDeploy('');
    const added = add(bare, webRequest);
    expect(service(added)['deploy']).toEqual({ replicas: 1 });
    expect(added).toContain('    deploy:\n      replicas: 1 # each docker stack deploy sets this count again\n');
    expect(removeBalancer(compose(added), 'web').text).toBe(bare);
    expect(service(web.expectedAdd ?? '')['deploy']).toEqual({ resources: { limits: { memory: '256M' } }, replicas: 1 });
  });

  it("leaves the user's own count, and a service that runs one task per node or as a job", () => {
    for (const deploy of ['replicas: 3', 'mode: global', 'mode: replicated-job']) {
      const input = withDeploy(`    deploy:\n      ${deploy}\n`);
      const result = addBalancer(compose(input), webRequest);
      expect(service(result.text)['deploy']).toEqual(service(input)['deploy']);
      expect(readRecord(service(result.text, 'web-lb'))?.first).toMatchObject({ createdDeploy: false, addedReplicas: false });
      expect(removeBalancer(compose(result.text), 'web').text).toBe(input);
    }
    const notes = (deploy: string): readonly string[] =>
      addBalancer(compose(withDeploy(`    deploy:\n      ${deploy}\n`)), webRequest).notes;
    expect(notes('replicas: 3')).toContain(
      'web keeps its deploy.replicas (3), which docker stack deploy sets; ' +
        'compose-lb scale web=N --stack NAME changes it until the next deploy',
    );
    expect(notes('mode: global')).toContain('web runs as deploy.mode global, with no replica count to scale');
  });

  it('keeps what the user added to the deploy add wrote, and warns when its replicas are gone', () => {
    const added = add(withDeploy(''), webRequest);
    const limits = '      resources:\n        limits:\n          cpus: "0.5"\n';
    const grown = added.replace('      replicas: 1 #', `${limits}      replicas: 1 #`);
    expect(service(removeBalancer(compose(grown), 'web').text)['deploy']).toEqual({
      resources: { limits: { cpus: '0.5' } },
    });
    const gone = added.replace('    deploy:\n      replicas: 1 # each docker stack deploy sets this count again\n', '');
    const result = removeBalancer(compose(gone), 'web');
    expect(result.warnings).toEqual(['web no longer has the deploy.replicas add wrote; left as it is']);
    expect(result.text).toBe(withDeploy(''));
  });

  it('refuses a deploy it cannot append to (flow style, or merged in), and scale, which a stack refuses', () => {
    const refusals: [string, string, RegExp][] = [
      [withDeploy('    deploy: {resources: {limits: {memory: 256M}}}\n'), 'layout', /web's "deploy" is not a block mapping/],
      [
        `x-deploy: &deploy\n  resources: {}\n${withDeploy('    deploy: *deploy\n')}`,
        'layout',
        /web's "deploy" is not a block mapping/,
      ],
      [withDeploy('    <<: {deploy: {resources: {}}}\n'), 'merged-key', /^web gets "deploy" through a merge/],
      [withDeploy('    scale: 2\n'), 'arguments', /^--swarm: web sets scale, .* deploy: replicas: 2 instead$/],
    ];
    for (const [input, problem, message] of refusals) {
      const err = thrown(() => add(input, webRequest));
      expect({ problem: (err as { problem?: string }).problem, message: err.message }).toEqual({
        problem,
        message: expect.stringMatching(message),
      });
    }
  });
});

describe('which files add --swarm takes', () => {
  const versioned = (version: string): string => `version: "${version}"\n${web.input}`;

  it('a file without a version, or of version 3 from 3.7 on; no older one, which a stack could not read', () => {
    for (const version of ['3', '3.7', '3.13']) expect(add(versioned(version), webRequest)).toMatch(/platform: swarm/);
    for (const version of ['2.4', '3.6', '1']) {
      const err = thrown(() => add(versioned(version), webRequest));
      expect(err.message).toMatch(new RegExp(`^--swarm: compose\\.yaml is version "${version.replace('.', '\\.')}", `));
    }
  });

  it('publishes on a port alone: a host address is refused for --listen, and warned about in ports that move', () => {
    const api = { ...webRequest, service: 'api', port: 80 };
    const err = thrown(() => add(web.input, { ...api, listen: parseListenAddress('127.0.0.1:8080') }));
    expect(err).toMatchObject({ problem: 'ports' });
    expect(err.message).toBe(
      "--swarm: --listen names the host address 127.0.0.1, which docker stack deploy ignores (it publishes on every node's addresses); " +
        'give the port alone: --listen 8080',
    );
    const listening = add(web.input, { ...api, listen: parseListenAddress('8080') });
    expect(serviceConfig(compose(listening), 'api-lb')['ports']).toEqual(['8080:80']);
    const local = web.input.replace('"8080:80"', '"127.0.0.1:8080:80"');
    expect(addBalancer(compose(local), webRequest).warnings).toContain(
      "web's ports name a host address (127.0.0.1:8080:80), which docker stack deploy ignores: web-lb is published on every node's addresses",
    );
    expect(addBalancer(compose(web.input), webRequest).warnings.join()).not.toMatch(/host address/);
  });

  it('refuses profiles, which the balancer would copy and a stack refuses', () => {
    const image = '    image: ghcr.io/example/shop:2\n';
    const input = web.input.replace(image, `${image}    profiles: [shop]\n`);
    expect(thrown(() => add(input, webRequest)).message).toMatch(/^--swarm: web has profiles, which docker stack deploy refuses/);
  });

  it('refuses --socket direct with --swarm, and in a file written for Swarm', () => {
    const err = thrown(() => add(web.input, { ...webRequest, socket: 'direct' }));
    expect(err).toMatchObject({ problem: 'arguments' });
    expect(err.message).toMatch(/^--socket direct does not go with --swarm: /);
    const tcp = { ...webRequest, service: 'api', port: 80, mode: 'tcp' as const, swarm: undefined, socket: 'direct' as const };
    const inherited = thrown(() => add(add(web.input, webRequest), tcp));
    expect(inherited.message).toMatch(/^--socket direct does not go with a file written for Swarm \(web-lb\): /);
  });

  it('refuses --swarm in a file with balancers written for Compose, either layout', () => {
    for (const socket of [undefined, 'direct'] as const) {
      const compose1 = add(shop.input, { ...shop.request, socket });
      const err = thrown(() => add(compose1, { ...shop.request, service: 'db', mode: 'tcp', swarm: true }));
      expect(err).toMatchObject({ problem: 'arguments' });
      expect(err.message).toMatch(/^web-lb was written (for Compose|with the Docker socket itself \(--socket direct\)), /);
      expect(err.message).toMatch(/take it out first \(compose-lb remove web\), then add it again with --swarm$/);
    }
  });

  it('writes for Swarm in a file written so, without being asked: a second balancer shares discovery there', () => {
    const first = add(web.input, webRequest);
    const result = addBalancer(compose(first), { ...webRequest, service: 'api', port: 80, mode: 'tcp', swarm: undefined });
    const lb = serviceConfig(compose(result.text), 'api-lb');
    const shared = { createdService: false, createdNetwork: false, createdNetworksKey: false, swarm: true };
    expect(readRecord(lb)?.discovery).toEqual(shared);
    expect(Object.keys(lb)).not.toContain('restart');
    expect(isRecord(lb['deploy']) && lb['deploy']['restart_policy']).toEqual({ condition: 'any' });
    expect(result.notes).toContain('api-lb reads its replicas from compose-lb-discovery, which the file has already');
    expect(stackProblems(first, result.text)).toEqual([]);
    expect(removeBalancer(compose(result.text), 'api').text).toBe(first);
  });
});
