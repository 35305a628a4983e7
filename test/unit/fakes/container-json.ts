import type { ContainerJson, NetworkJson } from '../../../src/docker/docker-api';
import { COMPOSE_LABELS } from '../../../src/docker/docker-api';

/** The project, service and network most tests balance in. */
export const PROJECT = 'shop';
export const SERVICE = 'web';
export const NETWORK = 'shop_default';
export const NETWORK_ID = 'f'.repeat(64);

export interface ContainerSpec {
  readonly id: string;
  /** Defaults to `shop-web-<number>` (Compose v2 naming), with Docker's leading slash. */
  readonly name?: string;
  readonly project?: string;
  readonly service?: string;
  /** Compose's container-number label; `null` leaves the label out. */
  readonly number?: number | null;
  readonly oneoff?: boolean;
  readonly running?: boolean;
  readonly paused?: boolean;
  /** Docker's State.Health.Status; absent when the image has no healthcheck. */
  readonly health?: string;
  /** Config.ExposedPorts keys, e.g. `80/tcp`. */
  readonly exposed?: readonly string[];
  readonly stopSignal?: string;
  /** Defaults to NETWORK with address 10.0.0.<number>. */
  readonly networks?: Readonly<Record<string, NetworkJson>>;
  /** Extra labels, merged over the Compose ones. */
  readonly labels?: Readonly<Record<string, string>>;
}

/** A container as `GET /containers/{id}/json` describes it: by default a running replica of shop/web. */
export function container(spec: ContainerSpec): ContainerJson {
  const number = spec.number === undefined ? 1 : spec.number;
  const labels: Record<string, string> = {
    [COMPOSE_LABELS.project]: spec.project ?? PROJECT,
    [COMPOSE_LABELS.service]: spec.service ?? SERVICE,
    [COMPOSE_LABELS.oneoff]: spec.oneoff === true ? 'True' : 'False',
    ...(number === null ? {} : { [COMPOSE_LABELS.number]: String(number) }),
    ...spec.labels,
  };
  return {
    Id: spec.id,
    Name: spec.name ?? `/${spec.project ?? PROJECT}-${spec.service ?? SERVICE}-${number ?? 0}`,
    State: {
      Running: spec.running ?? true,
      Paused: spec.paused ?? false,
      ...(spec.health === undefined ? {} : { Health: { Status: spec.health } }),
    },
    Config: {
      Labels: labels,
      ExposedPorts: Object.fromEntries((spec.exposed ?? ['80/tcp']).map((p) => [p, {}])),
      ...(spec.stopSignal === undefined ? {} : { StopSignal: spec.stopSignal }),
    },
    NetworkSettings: {
      Networks: spec.networks ?? { [NETWORK]: { NetworkID: NETWORK_ID, IPAddress: `10.0.0.${number ?? 0}` } },
    },
  };
}
