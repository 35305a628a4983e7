import { resolveIdentity, selfIdCandidates, type HostFacts, type IdentityConfig } from '../../../src/docker/identity';
import { ConfigError } from '../../../src/errors';
import { container, NETWORK, NETWORK_ID, PROJECT, SERVICE } from '../fakes/container-json';
import { FakeDocker } from '../fakes/fake-docker';

const LB_ID = '1b'.repeat(32);
const SHORT_ID = LB_ID.slice(0, 12);
const BACK_ID = 'b'.repeat(64);

/** /proc/self/mountinfo of a process in container `id`: Docker bind-mounts its hostname, hosts and resolv.conf. */
function dockerMountinfo(id: string): string {
  return [
    '701 640 0:58 / / rw,relatime master:305 - overlay overlay rw,lowerdir=/var/lib/docker/overlay2/l/X:/var/lib/docker/overlay2/l/Y',
    '702 701 0:61 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw',
    `733 701 254:1 /var/lib/docker/containers/${id}/resolv.conf /etc/resolv.conf rw,relatime - ext4 /dev/vda1 rw`,
    `734 701 254:1 /var/lib/docker/containers/${id}/hostname /etc/hostname rw,relatime - ext4 /dev/vda1 rw`,
    `735 701 254:1 /var/lib/docker/containers/${id}/hosts /etc/hosts rw,relatime - ext4 /dev/vda1 rw`,
  ].join('\n');
}
const HOST_MOUNTINFO = '22 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw\n23 22 0:21 / /proc rw - proc proc rw';

/** The balancer's own container: service `lb` in the project, on the default and a back network. */
const BALANCER = container({
  id: LB_ID,
  name: '/shop-lb-1',
  service: 'lb',
  networks: {
    [NETWORK]: { NetworkID: NETWORK_ID, IPAddress: '10.0.0.2' },
    shop_back: { NetworkID: BACK_ID, IPAddress: '10.0.1.2' },
  },
});

const facts = (hostname: string, mountinfo: string) => async (): Promise<HostFacts> => ({ hostname, mountinfo });
const IN_CONTAINER = facts(SHORT_ID, dockerMountinfo(LB_ID));
const ON_HOST = facts('laptop', HOST_MOUNTINFO);
const CONFIG: IdentityConfig = { services: [SERVICE], project: undefined, network: undefined };

describe('selfIdCandidates', () => {
  it.each<[string, string, string, string[]]>([
    ['the short ID hostname alone when the mounts name the same container', SHORT_ID, dockerMountinfo(LB_ID), [SHORT_ID]],
    ['a full-ID hostname alone', LB_ID, dockerMountinfo(LB_ID), [LB_ID]],
    ['a custom hostname, then the full ID from the mounts', 'balancer', dockerMountinfo(LB_ID), ['balancer', LB_ID]],
    ['only the hostname outside a container', 'laptop', HOST_MOUNTINFO, ['laptop']],
    ['only the hostname without a mount table', 'laptop', '', ['laptop']],
  ])('gives %s', (_name, hostname, mountinfo, expected) => {
    expect(selfIdCandidates(hostname, mountinfo)).toEqual(expected);
  });
});

describe('resolveIdentity', () => {
  it("takes the project from the balancer's own labels and its networks by name and ID", async () => {
    const docker = new FakeDocker(BALANCER, container({ id: 'r1' }));
    await expect(resolveIdentity(docker, CONFIG, IN_CONTAINER)).resolves.toEqual({
      project: PROJECT,
      networks: new Set([NETWORK, NETWORK_ID, 'shop_back', BACK_ID]),
      self: BALANCER,
    });
  });

  it('finds itself through the mount table when a custom hostname names another container', async () => {
    const impostor = container({ id: 'c'.repeat(64), name: '/balancer', project: 'elsewhere', service: 'x' });
    const docker = new FakeDocker(BALANCER, impostor);
    const identity = await resolveIdentity(docker, CONFIG, facts('balancer', dockerMountinfo(LB_ID)));
    expect(identity.self).toBe(BALANCER);
    expect(identity.project).toBe(PROJECT);
    expect(docker.calls).toEqual(['inspectContainer balancer', `inspectContainer ${LB_ID}`]);
  });

  it('finds itself by hostname prefix where there is no mount table', async () => {
    const docker = new FakeDocker(BALANCER);
    const identity = await resolveIdentity(docker, CONFIG, facts(SHORT_ID, ''));
    expect(identity.self).toBe(BALANCER);
  });

  it('uses LB_NETWORK alone, and LB_PROJECT over its own label, when they are set', async () => {
    const docker = new FakeDocker(BALANCER);
    const config = { services: [SERVICE], project: 'other', network: 'custom_net' };
    await expect(resolveIdentity(docker, config, IN_CONTAINER)).resolves.toEqual({
      project: 'other',
      networks: new Set(['custom_net']),
      self: BALANCER,
    });
  });

  it('works outside a container when project and network are both given', async () => {
    const docker = new FakeDocker();
    const config = { services: [SERVICE], project: PROJECT, network: NETWORK };
    await expect(resolveIdentity(docker, config, ON_HOST)).resolves.toEqual({
      project: PROJECT,
      networks: new Set([NETWORK]),
      self: undefined,
    });
  });

  it('does not take a container for itself when it is not in the mount table', async () => {
    // Outside a container the hostname may well name some container on the same host.
    const docker = new FakeDocker(container({ id: 'd'.repeat(64), name: '/laptop', service: 'lb' }));
    await expect(resolveIdentity(docker, CONFIG, ON_HOST)).rejects.toBeInstanceOf(ConfigError);
  });

  it.each<[string, IdentityConfig, () => Promise<HostFacts>, string[]]>([
    [
      'outside a container without project or network',
      CONFIG,
      ON_HOST,
      [
        'LB_PROJECT is required: the balancer is not running in a Compose container, so it cannot read it',
        'LB_NETWORK is required: the balancer is not running in a container, so it shares no network',
      ],
    ],
    [
      'outside a container without a network',
      { ...CONFIG, project: PROJECT },
      ON_HOST,
      ['LB_NETWORK is required: the balancer is not running in a container, so it shares no network'],
    ],
    [
      "when LB_SERVICE is the balancer's own service",
      { ...CONFIG, services: ['lb'] },
      IN_CONTAINER,
      ['LB_SERVICE names "lb", the balancer\'s own service: it would balance to itself'],
    ],
    [
      "when LB_SERVICE and LB_PROJECT name the balancer's own service",
      { ...CONFIG, services: ['lb'], project: PROJECT },
      IN_CONTAINER,
      ['LB_SERVICE names "lb", the balancer\'s own service: it would balance to itself'],
    ],
  ])('refuses to start %s', async (_name, config, host, problems) => {
    const docker = new FakeDocker(BALANCER);
    const error = await resolveIdentity(docker, config, host).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual(problems);
  });

  it('balances a service named like its own one in another project', async () => {
    const docker = new FakeDocker(BALANCER);
    const identity = await resolveIdentity(docker, { ...CONFIG, services: ['lb'], project: 'other' }, IN_CONTAINER);
    expect(identity.project).toBe('other');
  });
});
