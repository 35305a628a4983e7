import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { ConfigError } from '../errors';
import { COMPOSE_LABELS, type ContainerJson, type DockerApi } from './docker-api';

/** Where the balancer is: the Compose project it balances in and the networks it can reach replicas on. */
export interface Identity {
  readonly project: string;
  /** Network names and IDs. */
  readonly networks: ReadonlySet<string>;
  /** The balancer's own container, when it runs in one. */
  readonly self: ContainerJson | undefined;
}

/**
 * Container IDs this process may be running in. Docker sets the hostname to
 * the short ID unless `hostname:` overrides it; the bind mounts of
 * /etc/hostname and friends name the full ID either way (cgroup v1 and v2).
 */
export function selfIdCandidates(host: string, mountinfo: string): string[] {
  const ids = [host];
  const match = /\/containers\/([0-9a-f]{64})\//.exec(mountinfo);
  if (match?.[1] !== undefined && !match[1].startsWith(host)) ids.push(match[1]);
  return ids;
}

/** What the operating system says about where this process runs. */
export interface HostFacts {
  readonly hostname: string;
  /** `/proc/self/mountinfo`; empty where there is none (not Linux). */
  readonly mountinfo: string;
}

export async function readHostFacts(): Promise<HostFacts> {
  const mountinfo = await readFile('/proc/self/mountinfo', 'utf8').catch(() => '');
  return { hostname: hostname(), mountinfo };
}

async function findSelf(docker: DockerApi, { hostname, mountinfo }: HostFacts): Promise<ContainerJson | undefined> {
  for (const id of selfIdCandidates(hostname, mountinfo)) {
    const container = await docker.inspectContainer(id);
    // A custom hostname may name some other container: only the mount table proves it is us.
    const ours = mountinfo === '' ? container?.Id.startsWith(id) : container && mountinfo.includes(container.Id);
    if (container !== undefined && ours === true) return container;
  }
  return undefined;
}

export interface IdentityConfig {
  readonly services: readonly string[];
  readonly project: string | undefined;
  readonly network: string | undefined;
}

/**
 * Settles project and networks from the configuration, else from the balancer's
 * own container. `host` is injectable so tests need not run inside a container.
 */
export async function resolveIdentity(
  docker: DockerApi,
  config: IdentityConfig,
  host: () => Promise<HostFacts> = readHostFacts,
): Promise<Identity> {
  return identityOf(config, await findSelf(docker, await host()));
}

/**
 * The same for a balancer elsewhere (discovery resolves it for a balancer without the socket): the
 * first of `ids` that names a container by its ID (not a name that looks like one) is the balancer's.
 */
export async function resolveIdentityOf(docker: DockerApi, config: IdentityConfig, ids: readonly string[]): Promise<Identity> {
  for (const id of ids) {
    const container = await docker.inspectContainer(id);
    if (container?.Id.startsWith(id) === true) return identityOf(config, container);
  }
  return identityOf(config, undefined);
}

function identityOf(config: IdentityConfig, self: ContainerJson | undefined): Identity {
  const labels = self?.Config?.Labels ?? {};
  const project = config.project ?? labels[COMPOSE_LABELS.project];
  const problems: string[] = [];
  if (project === undefined) {
    problems.push('LB_PROJECT is required: the balancer is not running in a Compose container, so it cannot read it');
  }
  if (config.network === undefined && self === undefined) {
    problems.push('LB_NETWORK is required: the balancer is not running in a container, so it shares no network');
  }
  const own = labels[COMPOSE_LABELS.service];
  if (project === labels[COMPOSE_LABELS.project] && own !== undefined && config.services.includes(own)) {
    problems.push(`LB_SERVICE names "${own}", the balancer's own service: it would balance to itself`);
  }
  if (problems.length > 0 || project === undefined) throw new ConfigError(problems);

  const networks = new Set<string>();
  if (config.network !== undefined) {
    networks.add(config.network);
  } else {
    for (const [name, net] of Object.entries(self?.NetworkSettings?.Networks ?? {})) {
      networks.add(name);
      if (net.NetworkID) networks.add(net.NetworkID);
    }
  }
  return { project, networks, self };
}
