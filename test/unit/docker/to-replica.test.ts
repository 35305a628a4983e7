import type { Replica } from '../../../src/balancer/replica';
import { toReplica, type ReplicaContext } from '../../../src/docker/to-replica';
import { container, NETWORK, NETWORK_ID, PROJECT, SERVICE, type ContainerSpec } from '../fakes/container-json';

const CONTEXT: ReplicaContext = {
  project: PROJECT,
  service: SERVICE,
  targetPort: undefined,
  networks: new Set([NETWORK, NETWORK_ID]),
};

const ID = 'c0ffee'.repeat(10) + 'c0ff';

function translate(spec: Omit<ContainerSpec, 'id'>, ctx: Partial<ReplicaContext> = {}) {
  return toReplica(container({ id: ID, ...spec }), { ...CONTEXT, ...ctx });
}

/** The replica translated from `spec`; fails the test with the skip reason otherwise. */
function replicaOf(spec: Omit<ContainerSpec, 'id'>, ctx: Partial<ReplicaContext> = {}): Replica {
  const result = translate(spec, ctx);
  if (!result.ok) throw new Error(`skipped: ${result.reason}`);
  return result.replica;
}

describe('toReplica skips', () => {
  it.each<[string, Omit<ContainerSpec, 'id'>, Partial<ReplicaContext>, string]>([
    ['a container of another service', { service: 'db' }, {}, 'not a container of the balanced service'],
    ['a container of another project', { project: 'other' }, {}, 'not a container of the balanced service'],
    ['a container with an empty project label', { labels: { 'com.docker.compose.project': '' } }, {}, 'not a container of the balanced service'],
    ['a one-off container', { oneoff: true }, {}, 'one-off container (compose run)'],
    ['a stopped container', { running: false }, {}, 'not running'],
    ['a paused container', { paused: true }, {}, 'paused'],
    ['an image exposing no port', { exposed: [] }, {}, 'its image exposes no TCP port: set LB_TARGET_PORT'],
    ['an image exposing only UDP', { exposed: ['53/udp'] }, {}, 'its image exposes no TCP port: set LB_TARGET_PORT'],
    [
      'an image exposing several ports, without a target port',
      { exposed: ['80/tcp', '443/tcp', '53/udp'] },
      {},
      'its image exposes several ports (80, 443): set LB_TARGET_PORT to one of them',
    ],
    [
      'a container on no shared network',
      { networks: { other_net: { NetworkID: 'x1', IPAddress: '10.9.0.2' }, bridge: { NetworkID: 'x2', IPAddress: '172.17.0.2' } } },
      {},
      'on no network shared with the balancer (its networks: other_net, bridge)',
    ],
    ['a container on no network at all', { networks: {} }, {}, 'on no network shared with the balancer (its networks: none)'],
    [
      'a container with no address on the shared network',
      { networks: { [NETWORK]: { NetworkID: NETWORK_ID, IPAddress: '' } } },
      {},
      `on no network shared with the balancer (its networks: ${NETWORK})`,
    ],
  ])('%s', (_name, spec, ctx, reason) => {
    expect(translate(spec, ctx)).toEqual({ ok: false, reason });
  });
});

describe('toReplica translates', () => {
  it('a plain replica into our own record', () => {
    expect(translate({ number: 3 })).toEqual({
      ok: true,
      replica: {
        id: ID,
        name: 'shop-web-3',
        number: 3,
        host: '10.0.0.3',
        port: 80,
        health: 'none',
        stopSignal: 15,
        stopping: false,
        stopTimeoutMs: 10_000,
        healthPath: undefined,
      },
    });
  });

  it.each<[string, Record<string, { NetworkID?: string; IPAddress?: string; GlobalIPv6Address?: string }>, Set<string>, string]>([
    ['by network name', { [NETWORK]: { NetworkID: 'unknown', IPAddress: '10.1.0.5' } }, new Set([NETWORK]), '10.1.0.5'],
    ['by network ID', { renamed: { NetworkID: NETWORK_ID, IPAddress: '10.1.0.6' } }, new Set([NETWORK_ID]), '10.1.0.6'],
    [
      'on the shared one of several networks',
      {
        a_front: { NetworkID: 'n1', IPAddress: '10.2.0.2' },
        [NETWORK]: { NetworkID: NETWORK_ID, IPAddress: '10.1.0.7' },
        z_back: { NetworkID: 'n3', IPAddress: '10.3.0.2' },
      },
      new Set([NETWORK]),
      '10.1.0.7',
    ],
    [
      'on the first shared network by name when several are shared',
      { b_net: { NetworkID: 'n2', IPAddress: '10.2.0.9' }, a_net: { NetworkID: 'n1', IPAddress: '10.1.0.9' } },
      new Set(['a_net', 'b_net']),
      '10.1.0.9',
    ],
    ['by its IPv6 address on an IPv6-only network', { v6: { NetworkID: 'n6', GlobalIPv6Address: 'fd00::5' } }, new Set(['v6']), 'fd00::5'],
  ])('reaching the replica %s', (_name, networks, ours, host) => {
    expect(replicaOf({ networks }, { networks: ours }).host).toBe(host);
  });

  it.each<[string, Omit<ContainerSpec, 'id'>, Partial<ReplicaContext>, number]>([
    ['the single exposed port', { exposed: ['8080/tcp'] }, {}, 8080],
    ['"80" and "80/tcp" as one port', { exposed: ['80', '80/tcp'] }, {}, 80],
    ['the TCP port beside UDP ones', { exposed: ['53/udp', '8053/tcp'] }, {}, 8053],
    ['the configured target port over several exposed', { exposed: ['80/tcp', '443/tcp'] }, { targetPort: 443 }, 443],
    ['the configured target port when none is exposed', { exposed: [] }, { targetPort: 3000 }, 3000],
  ])('using %s', (_name, spec, ctx, port) => {
    expect(replicaOf(spec, ctx).port).toBe(port);
  });

  it.each<[string | undefined, number]>([
    [undefined, 15],
    ['SIGQUIT', 3],
    ['QUIT', 3],
    ['sigint', 2],
    ['3', 3],
    ['SIGNOPE', 15],
  ])('STOPSIGNAL %j to signal %i', (stopSignal, number) => {
    expect(replicaOf(stopSignal === undefined ? {} : { stopSignal }).stopSignal).toBe(number);
  });

  it.each<[string | undefined, Replica['health']]>([
    [undefined, 'none'],
    ['starting', 'starting'],
    ['healthy', 'healthy'],
    ['unhealthy', 'unhealthy'],
    ['something new', 'none'],
  ])('health status %j to %j', (health, expected) => {
    expect(replicaOf(health === undefined ? {} : { health }).health).toBe(expected);
  });

  it.each<[string, Omit<ContainerSpec, 'id'>, number | undefined]>([
    ['a number label', { number: 12 }, 12],
    ['no number label', { number: null }, undefined],
    ['a label that is not a number', { number: null, labels: { 'com.docker.compose.container-number': 'x' } }, undefined],
  ])('the container number from %s', (_name, spec, number) => {
    expect(replicaOf(spec).number).toBe(number);
  });

  it.each<[string, string | undefined, string]>([
    ['without the leading slash', '/shop-web-1', 'shop-web-1'],
    ['as the short ID when Docker gives none', undefined, ID.slice(0, 12)],
  ])('the name %s', (_name, name, expected) => {
    const json = container({ id: ID });
    expect(toReplica({ ...json, Name: name }, CONTEXT)).toMatchObject({ ok: true, replica: { name: expected } });
  });

  it('the health path from the compose-lb.health-path label', () => {
    expect(replicaOf({ labels: { 'compose-lb.health-path': '/healthz' } }).healthPath).toBe('/healthz');
  });
});
