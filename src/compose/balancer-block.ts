import { OPTIONS, type Mode } from '../config';
import { recordLines, type AddRecord } from './add-record';
import type { Indents } from './service-block';
import type { Line } from './source-text';
import { yamlScalar } from './yaml-text';

/** The read-only socket mount: the balancer lists and watches containers, it never changes them. */
export const DOCKER_SOCKET_VOLUME = '/var/run/docker.sock:/var/run/docker.sock:ro';

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
  readonly networks: readonly string[];
  readonly networkMode: string | undefined;
  readonly profiles: readonly string[];
  readonly record: AddRecord;
}

/**
 * The balancer's lines. It listens on the service's own container port, so the
 * service's `ports:` entries mean the same on the balancer and move there byte
 * for byte (and back on `remove`).
 */
export function balancerLines(spec: BalancerSpec, keyIndent: string, indents: Indents): (Line | string)[] {
  const { body, nested, item } = indents;
  const list = (key: string, values: readonly string[]): string[] =>
    values.length === 0 ? [] : [`${body}${key}:`, ...values.map((v) => `${item}- ${v}`)];
  const env = (option: keyof typeof OPTIONS, value: string): string => `${nested}${OPTIONS[option].env}: ${value}`;
  const defaultAdminPort = Number(OPTIONS.adminPort.default);
  return [
    `${keyIndent}${spec.name}:`,
    `${body}image: ${yamlScalar(spec.image)}${spec.pinnedFrom === undefined ? '' : ` # ${spec.pinnedFrom}, pinned by --pin`}`,
    `${body}environment:`,
    env('services', yamlScalar(spec.service)),
    ...(spec.mode === 'tcp' ? [env('mode', 'tcp')] : []),
    env('targetPort', `"${spec.port}"`),
    env('listenPorts', `"${spec.port}"`),
    // The admin endpoint must not take the port the balancer listens on.
    ...(spec.port === defaultAdminPort ? [env('adminPort', `"${defaultAdminPort + 1}"`)] : []),
    ...list('volumes', [DOCKER_SOCKET_VOLUME]),
    // The image runs as uid 1000; the socket's group lets it read the socket. DOCKER_GID overrides at `up` time.
    ...list('group_add', [`"\${DOCKER_GID:-${spec.dockerGid}}"`]),
    ...spec.portsLines,
    ...list('depends_on', [yamlScalar(spec.service)]),
    ...list('networks', spec.networks.map(yamlScalar)),
    ...(spec.networkMode === undefined ? [] : [`${body}network_mode: ${yamlScalar(spec.networkMode)}`]),
    // Same profiles as the service: else `docker compose up` without them fails, the balancer depending on a disabled service.
    ...list('profiles', spec.profiles.map(yamlScalar)),
    `${body}restart: unless-stopped`,
    ...recordLines({ first: spec.record, routes: [] }, indents),
  ];
}
