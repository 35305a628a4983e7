import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { addBalancer, type AddRequest } from '../../../src/compose/add-balancer';
import { readRecord } from '../../../src/compose/add-record';
import { ComposeInputError, type ComposeProblem } from '../../../src/compose/compose-errors';
import { serviceConfig, serviceNames } from '../../../src/compose/compose-file';
import { DISCOVERY_SERVICE } from '../../../src/compose/discovery-service';
import { removeBalancer } from '../../../src/compose/remove-balancer';
import { compose, fixture, FIXTURES, thrown } from './fixtures';

// The split layout: compose-lb-discovery and its network, written once per
// file, shared, and taken out with the last balancer reading from them. The
// fixtures two-balancers, socket-direct and route-* hold whole files; these
// are the decisions and refusals.

const add = (text: string, request: AddRequest): string => addBalancer(compose(text), request).text;
const recordOf = (text: string, balancer: string): unknown => readRecord(serviceConfig(compose(text), balancer));
const discoveryCount = (text: string): number => serviceNames(compose(text)).filter((s) => s === DISCOVERY_SERVICE).length;

const shop = fixture('two-balancers');
const [webRequest, dbRequest] = shop.requests as [AddRequest, AddRequest];
const withWeb = add(shop.input, webRequest);
const nothingCreated = { createdService: false, createdNetwork: false, createdNetworksKey: false };

describe('add, where the file has compose-lb-discovery already', () => {
  it('reads from it: the second balancer writes neither discovery nor its network again', () => {
    const result = addBalancer(compose(withWeb), dbRequest);
    expect(discoveryCount(result.text)).toBe(1);
    expect(result.text.match(/^ {4}internal: true$/gm)).toHaveLength(1);
    expect(result.notes).toContain('db-lb reads its replicas from compose-lb-discovery, which the file has already');
    expect(recordOf(result.text, 'db-lb')).toMatchObject({ discovery: nothingCreated });
  });

  it('warns about a guessed socket group only where it writes one', () => {
    const guessed = (text: string, request: AddRequest): readonly string[] =>
      addBalancer(compose(text), { ...request, dockerGidWarning: 'socket group unknown' }).warnings;
    expect(guessed(shop.input, webRequest)).toEqual(['socket group unknown']);
    expect(guessed(withWeb, dbRequest)).toEqual([]);
    expect(guessed(shop.input, { ...webRequest, socket: 'direct' })).toEqual(['socket group unknown']);
  });

  it('a route changes nothing about discovery, and says so if asked for a socket', () => {
    const f = fixture('route-path-prefix');
    const web = add(f.input, f.request);
    const routed = add(web, f.requests[1] as AddRequest);
    const discovery = (text: string): unknown[] => {
      const file = compose(text);
      return [serviceConfig(file, DISCOVERY_SERVICE), file.model['networks'], readRecord(serviceConfig(file, 'web-lb'))?.discovery];
    };
    expect(discovery(routed)).toEqual(discovery(web));
    const err = thrown(() => add(web, { ...(f.requests[1] as AddRequest), socket: 'direct' }));
    expect(err).toMatchObject({ problem: 'arguments' });
    expect(err.message).toBe(
      '--socket is for a balancer of its own; api joins web-lb, which keeps reading its replicas as it does',
    );
  });

  it('refuses to balance compose-lb-discovery itself', () => {
    const err = thrown(() => add(withWeb, { ...webRequest, service: DISCOVERY_SERVICE, port: 8082 }));
    expect(err).toMatchObject({ problem: 'name-taken' });
    expect(err.message).toMatch(/^compose-lb-discovery is compose-lb's discovery/);
  });
});

describe("compose-lb's network, where the file has one already", () => {
  const declared = shop.input.replace(/$/, 'networks:\n  compose-lb:\n    internal: true # ours\n');

  it('is taken as it is, and stays when the last balancer goes', () => {
    const text = add(declared, webRequest);
    expect(text).toContain('networks:\n  compose-lb:\n    internal: true # ours\n');
    expect(recordOf(text, 'web-lb')).toMatchObject({
      discovery: { createdService: true, createdNetwork: false, createdNetworksKey: false },
    });
    expect(removeBalancer(compose(text), 'web').text).toBe(declared);
  });

  it('gets its entry in a flow mapping with nothing else in it, and loses it again', () => {
    const empty = `${shop.input}networks: {}\n`;
    const text = add(empty, webRequest);
    expect(text).toContain('networks: {compose-lb: {internal: true}}\n');
    expect(removeBalancer(compose(text), 'web').text).toBe(empty);
  });

  it('gets its entry after the others, and the key stays when the user added a network to it', () => {
    const text = add(shop.input, webRequest).replace('  compose-lb:\n    internal: true\n', '  compose-lb:\n    internal: true\n  mine:\n');
    const removed = removeBalancer(compose(text), 'web').text;
    expect(removed).toMatch(/\nnetworks:\n {2}mine:\n$/);
    expect(removed).not.toContain(DISCOVERY_SERVICE);
  });
});

describe('add refuses what it would have to take over, exit 2', () => {
  const errorFile = (name: string): string => readFileSync(join(FIXTURES, 'errors', name), 'utf8');

  it.each<[string, string, ComposeProblem, RegExp]>([
    [
      'a compose-lb-discovery of its own',
      errorFile('discovery-taken.yml'),
      'name-taken',
      /^compose\.yaml has a service compose-lb-discovery that compose-lb add did not write .*; rename it, or pass --socket direct$/,
    ],
    [
      'a compose-lb network with other settings',
      errorFile('network-taken.yml'),
      'name-taken',
      /^compose\.yaml has a network compose-lb with settings of its own \(\{"driver":"bridge"\}\), and compose-lb's is \{"internal":true\}; rename it, or pass --socket direct$/,
    ],
    [
      'a service with network_mode',
      fixture('network-mode-bridge').input,
      'network-mode',
      /^web uses network_mode: bridge, .* cannot join the network compose-lb .*; pass --socket direct/,
    ],
  ])('%s; --socket direct goes', (_what, source, problem, message) => {
    const request = { ...webRequest, service: 'web' };
    const err = thrown(() => add(source, request));
    expect(err).toBeInstanceOf(ComposeInputError);
    expect(err).toMatchObject({ problem });
    expect(err.message).toMatch(message);
    const direct = add(source, { ...request, socket: 'direct' });
    expect(serviceConfig(compose(direct), 'web-lb')['volumes']).toEqual(['/var/run/docker.sock:/var/run/docker.sock:ro']);
  });

  it('a compose-lb-discovery no balancer record claims any more', () => {
    const orphaned = withWeb.replace(/ {6}created-discovery: true\n/, '');
    const err = thrown(() => add(orphaned, dbRequest));
    expect(err).toMatchObject({ problem: 'name-taken' });
  });
});

describe('remove, while other services read from discovery', () => {
  const both = shop.expectedAdd ?? '';

  it('hands what add wrote over to the balancer that stays', () => {
    const result = removeBalancer(compose(both), 'web');
    expect(result.notes).toEqual([
      'removed web-lb; web publishes its ports again',
      'compose-lb-discovery stays for db-lb; db-lb takes it out with it',
    ]);
    expect(recordOf(result.text, 'db-lb')).toMatchObject({
      discovery: { createdService: true, createdNetwork: true, createdNetworksKey: true },
    });
  });

  it('takes nothing out from under the last balancer, and hands nothing over that it did not write', () => {
    const result = removeBalancer(compose(both), 'db');
    expect(result.notes).toEqual(['removed db-lb; db publishes its ports again']);
    expect(result.text).toBe(withWeb);
  });

  it('leaves discovery to a balancer written by hand, saying compose-lb no longer takes it out', () => {
    const handWritten = [
      '  db-lb:',
      '    image: compose-lb:0.1.0',
      '    environment:',
      '      LB_SERVICE: db',
      '      LB_DISCOVERY_URL: http://compose-lb-discovery:8082',
      '    networks: [default, compose-lb]',
    ].join('\n');
    const byHand = withWeb.replace('\n\nnetworks:\n', `\n${handWritten}\n\nnetworks:\n`);
    const result = removeBalancer(compose(byHand), 'web');
    expect(discoveryCount(result.text)).toBe(1);
    expect(compose(result.text).model['networks']).toEqual({ 'compose-lb': { internal: true } });
    expect(result.warnings).toEqual([
      'compose-lb-discovery stays for db-lb, which compose-lb add did not write: compose-lb no longer takes ' +
        'compose-lb-discovery and the network compose-lb out with them; remove them by hand once nothing uses them',
    ]);
  });
});

describe('the balancer of the split layout', () => {
  const lbOf = (text: string, name: string): Record<string, unknown> => ({ ...serviceConfig(compose(text), name) });

  it('has no socket, no group, no capability, a read-only root and discovery to read from', () => {
    const lb = lbOf(withWeb, 'web-lb');
    expect(lb).toMatchObject({
      read_only: true,
      cap_drop: ['ALL'],
      security_opt: ['no-new-privileges:true'],
      depends_on: ['web', DISCOVERY_SERVICE],
      networks: ['default', 'compose-lb'],
    });
    expect(lb['environment']).toMatchObject({ LB_DISCOVERY_URL: 'http://compose-lb-discovery:8082' });
    expect(lb).not.toHaveProperty('volumes');
    expect(lb).not.toHaveProperty('group_add');
  });

  it('may bind a port below 1024 through the sysctl, written only there', () => {
    expect(lbOf(withWeb, 'web-lb')['sysctls']).toEqual({ 'net.ipv4.ip_unprivileged_port_start': 0 });
    const f = fixture('port-flag');
    expect(lbOf(add(f.input, f.request), 'web-lb')).not.toHaveProperty('sysctls');
  });

  it('and discovery: the socket, read-only, its only network internal, its own healthcheck', () => {
    const file = compose(withWeb);
    expect(serviceConfig(file, DISCOVERY_SERVICE)).toEqual({
      image: 'compose-lb:0.1.0',
      command: ['discover'],
      volumes: ['/var/run/docker.sock:/var/run/docker.sock:ro'],
      group_add: ['${DOCKER_GID:-999}'],
      networks: ['compose-lb'],
      read_only: true,
      cap_drop: ['ALL'],
      security_opt: ['no-new-privileges:true'],
      healthcheck: { test: ['CMD', 'node', '/app/compose-lb.js', 'probe', '--port', '8082', '/healthz'] },
      restart: 'unless-stopped',
    });
    expect(file.model['networks']).toEqual({ 'compose-lb': { internal: true } });
  });

  it('pins discovery to the same image as the balancer', () => {
    const pinned = add(shop.input, { ...webRequest, image: 'compose-lb@sha256:abc', pinnedFrom: 'compose-lb:0.1.0' });
    expect(pinned.match(/image: compose-lb@sha256:abc # compose-lb:0.1.0, pinned by --pin\n/g)).toHaveLength(2);
  });
});
