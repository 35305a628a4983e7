import type { DockerHealth, Replica } from '../balancer/replica';
import type { ContainerJson, NetworkJson } from './docker-api';
import { COMPOSE_LABELS } from './docker-api';
import { isDefaultRoute, routeRuleOf } from '../routing/route-rule';
import { SIGTERM, signalNumber } from './signals';

/** What decides whether and how a container becomes a replica. */
export interface ReplicaContext {
  readonly project: string;
  readonly service: string;
  /** Configured target port; otherwise the image's single exposed port is used. */
  readonly targetPort: number | undefined;
  /**
   * Networks (by ID and by name) a replica may be reached on: the configured
   * network, or those the balancer's own container is attached to.
   */
  readonly networks: ReadonlySet<string>;
}

export type Translation =
  | { readonly ok: true; readonly replica: Replica }
  | { readonly ok: false; readonly reason: string };

/** Lets a service choose its own active health probe path, e.g. `compose-lb.health-path: /healthz`. */
export const HEALTH_PATH_LABEL = 'compose-lb.health-path';
/** A replica's share of traffic against the others', e.g. `compose-lb.weight: "3"`. */
export const WEIGHT_LABEL = 'compose-lb.weight';

/** Docker's own `docker stop` grace period when a container sets none. */
const DEFAULT_STOP_TIMEOUT_S = 10;

const skip = (reason: string): Translation => ({ ok: false, reason });

/** Translates one inspected container into a Replica, or says why it is not one. */
export function toReplica(container: ContainerJson, ctx: ReplicaContext): Translation {
  const labels = container.Config?.Labels ?? {};
  if (labels[COMPOSE_LABELS.project] !== ctx.project || labels[COMPOSE_LABELS.service] !== ctx.service) {
    return skip('not a container of the balanced service');
  }
  if (labels[COMPOSE_LABELS.oneoff] === 'True') return skip('one-off container (compose run)');
  if (container.State?.Running !== true) return skip('not running');
  if (container.State.Paused === true) return skip('paused');

  const port = targetPort(container, ctx.targetPort);
  if (typeof port === 'string') return skip(port);

  const network = sharedNetwork(container.NetworkSettings?.Networks ?? {}, ctx.networks);
  if (network === undefined) {
    const names = Object.keys(container.NetworkSettings?.Networks ?? {}).join(', ') || 'none';
    return skip(`on no network shared with the balancer (its networks: ${names})`);
  }

  const weight = weightOf(labels[WEIGHT_LABEL]);
  if (typeof weight === 'string') return skip(weight);
  const route = routeRuleOf(labels);
  if (typeof route === 'string') return skip(route);
  const number = Number(labels[COMPOSE_LABELS.number]);
  return {
    ok: true,
    replica: {
      id: container.Id,
      name: (container.Name ?? container.Id.slice(0, 12)).replace(/^\//, ''),
      number: Number.isInteger(number) ? number : undefined,
      host: network,
      port,
      health: health(container.State.Health?.Status),
      stopSignal: signalNumber(container.Config?.StopSignal) ?? SIGTERM,
      stopping: false,
      stopTimeoutMs: (container.Config?.StopTimeout ?? DEFAULT_STOP_TIMEOUT_S) * 1000,
      healthPath: labels[HEALTH_PATH_LABEL] || undefined,
      ...(weight === undefined ? {} : { weight }),
      ...(isDefaultRoute(route) ? {} : { route }),
    },
  };
}

/** A weight label: a whole number 0-1000 (as HAProxy's weights go up to 256, with room). */
function weightOf(raw: string | undefined): number | undefined | string {
  if (raw === undefined || raw.trim() === '') return undefined;
  if (!/^\s*\d{1,4}\s*$/.test(raw) || Number(raw) > 1000) {
    return `its label ${WEIGHT_LABEL}="${raw}" is not a whole number from 0 to 1000`;
  }
  return Number(raw);
}

function targetPort(container: ContainerJson, configured: number | undefined): number | string {
  if (configured !== undefined) return configured;
  // Compose's `expose: ["80"]` leaves both "80" and "80/tcp" in ExposedPorts: one port.
  const tcp = [
    ...new Set(
      Object.keys(container.Config?.ExposedPorts ?? {})
        .filter((p) => p.endsWith('/tcp') || !p.includes('/'))
        .map((p) => Number.parseInt(p, 10)),
    ),
  ];
  if (tcp.length === 1 && tcp[0] !== undefined) return tcp[0];
  if (tcp.length === 0) return 'its image exposes no TCP port: set LB_TARGET_PORT';
  return `its image exposes several ports (${tcp.join(', ')}): set LB_TARGET_PORT to one of them`;
}

/** The replica's address on the first network (by name order) it shares with the balancer. */
function sharedNetwork(networks: Readonly<Record<string, NetworkJson>>, ours: ReadonlySet<string>): string | undefined {
  for (const name of Object.keys(networks).sort()) {
    const net = networks[name];
    if (net === undefined) continue;
    const shared = ours.has(name) || (net.NetworkID !== undefined && ours.has(net.NetworkID));
    const address = net.IPAddress || net.GlobalIPv6Address;
    if (shared && address) return address;
  }
  return undefined;
}

function health(status: string | undefined): DockerHealth {
  switch (status) {
    case 'starting':
    case 'healthy':
    case 'unhealthy':
      return status;
    default:
      return 'none';
  }
}
