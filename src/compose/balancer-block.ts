import { OPTIONS, type Mode } from '../config';
import { recordLines, type AddRecord, type DiscoveryRecord } from './add-record';
import { DISCOVERY_NETWORK, DISCOVERY_SERVICE, DISCOVERY_URL } from './discovery-service';
import type { Indents } from './service-block';
import { imageLine, listLines, lockedDownLines, restartLines, socketLines } from './service-lines';
import type { Line } from './source-text';
import { yamlScalar } from './yaml-text';

/** What goes into the balancer service `add` writes. */
export interface BalancerSpec {
  readonly name: string;
  readonly service: string;
  /** `tcp`: connections are forwarded unread (LB_MODE). */
  readonly mode: Mode;
  readonly image: string;
  /** The reference `image` pins (--pin), kept beside it for readers. */
  readonly pinnedFrom: string | undefined;
  /** The service's container port: the balancer forwards to it and listens on it too. */
  readonly port: number;
  readonly dockerGid: number;
  /** The `ports:` key and value, moved verbatim from the service or written for --listen; empty for none. */
  readonly portsLines: readonly (Line | string)[];
  /** The service's networks; empty for the project's default network. */
  readonly networks: readonly string[];
  readonly networkMode: string | undefined;
  readonly profiles: readonly string[];
  readonly record: AddRecord;
  /** Replicas come from compose-lb-discovery; undefined: the balancer reads the Docker socket itself (--socket direct). */
  readonly discovery: DiscoveryRecord | undefined;
}

/** The first unprivileged port without `net.ipv4.ip_unprivileged_port_start`. */
const UNPRIVILEGED_PORTS = 1024;

/**
 * The balancer's lines. It listens on the service's own container port, so the
 * service's `ports:` entries mean the same on the balancer and move there byte
 * for byte (and back on `remove`).
 */
export function balancerLines(spec: BalancerSpec, keyIndent: string, indents: Indents): (Line | string)[] {
  const { body, nested } = indents;
  const list = (key: string, values: readonly string[]): string[] => listLines(indents, key, values);
  const env = (option: keyof typeof OPTIONS, value: string): string => `${nested}${OPTIONS[option].env}: ${value}`;
  const defaultAdminPort = Number(OPTIONS.adminPort.default);
  const split = spec.discovery !== undefined;
  // Only the split layout runs on Swarm (swarm-stack.ts).
  const swarm = spec.discovery?.swarm === true;
  return [
    `${keyIndent}${spec.name}:`,
    imageLine(indents, spec.image, spec.pinnedFrom),
    `${body}environment:`,
    env('services', yamlScalar(spec.service)),
    ...(spec.mode === 'tcp' ? [env('mode', 'tcp')] : []),
    env('targetPort', `"${spec.port}"`),
    env('listenPorts', `"${spec.port}"`),
    // The admin endpoint must not take the port the balancer listens on.
    ...(spec.port === defaultAdminPort ? [env('adminPort', `"${defaultAdminPort + 1}"`)] : []),
    ...(split ? [env('discoveryUrl', DISCOVERY_URL)] : socketLines(indents, spec.dockerGid, false)),
    ...spec.portsLines,
    ...list('depends_on', [yamlScalar(spec.service), ...(split ? [DISCOVERY_SERVICE] : [])]),
    ...list('networks', (split ? splitNetworks(spec.networks) : spec.networks).map(yamlScalar)),
    ...(spec.networkMode === undefined ? [] : [`${body}network_mode: ${yamlScalar(spec.networkMode)}`]),
    // Same profiles as the service: else `docker compose up` without them fails, the balancer depending on a disabled service.
    ...list('profiles', spec.profiles.map(yamlScalar)),
    ...(split ? [...lockedDownLines(indents, swarm), ...portSysctl(spec.port, indents)] : []),
    ...restartLines(indents, swarm),
    ...recordLines({ first: spec.record, routes: [], discovery: spec.discovery }, indents),
  ];
}

/**
 * The service's networks, to reach its replicas, and discovery's. A service
 * that names none is on the project's `default` network, which a service
 * listing networks must then name.
 */
export function splitNetworks(networks: readonly string[]): string[] {
  return [...new Set([...(networks.length > 0 ? networks : ['default']), DISCOVERY_NETWORK])];
}

/**
 * The balancer runs as uid 1000 with every capability dropped, so below 1024
 * it can bind the service's port only because this sysctl says so. Docker
 * 20.10+ sets it to 0 in every container with a network namespace of its own
 * (moby/moby#41030), but older engines and other runtimes leave the kernel's
 * 1024; written down, the balancer starts wherever the file runs, and a reader
 * sees why it may listen there. A higher port needs nothing, so nothing is written.
 */
function portSysctl(port: number, { body, nested }: Indents): string[] {
  if (port >= UNPRIVILEGED_PORTS) return [];
  return [`${body}sysctls:`, `${nested}net.ipv4.ip_unprivileged_port_start: 0`];
}
