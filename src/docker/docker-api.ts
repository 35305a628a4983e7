import type { Readable } from 'node:stream';

/**
 * The slice of the Docker Engine API the balancer uses: list, inspect and the
 * events stream, all read-only. Code depends on this interface, not on
 * dockerode, so tests can pass a fake (see test/unit/fakes/fake-docker.ts).
 */
export interface DockerApi {
  /** IDs of running containers carrying every label (`key=value`). */
  listContainerIds(labels: readonly string[]): Promise<string[]>;
  /** `undefined` when the container no longer exists. */
  inspectContainer(id: string): Promise<ContainerJson | undefined>;
  /** Container events for containers carrying every label; resolves once the stream is open. */
  streamEvents(labels: readonly string[]): Promise<Readable>;
}

/** The fields of `GET /containers/{id}/json` that we read; Docker sends more. */
export interface ContainerJson {
  readonly Id: string;
  readonly Name?: string;
  readonly State?: {
    readonly Running?: boolean;
    readonly Paused?: boolean;
    readonly Health?: { readonly Status?: string };
  };
  readonly Config?: {
    readonly Labels?: Readonly<Record<string, string>> | null;
    readonly ExposedPorts?: Readonly<Record<string, unknown>> | null;
    readonly StopSignal?: string;
    /** Seconds between the stop signal and SIGKILL; absent for the daemon's default (10). */
    readonly StopTimeout?: number | null;
  };
  readonly NetworkSettings?: {
    readonly Networks?: Readonly<Record<string, NetworkJson>> | null;
  };
}

export interface NetworkJson {
  readonly NetworkID?: string;
  readonly IPAddress?: string;
  readonly GlobalIPv6Address?: string;
}

/** One message of `GET /events`. */
export interface DockerEvent {
  readonly Type?: string;
  readonly Action?: string;
  readonly Actor?: {
    readonly ID?: string;
    readonly Attributes?: Readonly<Record<string, string>>;
  };
}

/** The labels Compose v1 and v2 both put on every container they create. */
export const COMPOSE_LABELS = {
  project: 'com.docker.compose.project',
  service: 'com.docker.compose.service',
  number: 'com.docker.compose.container-number',
  oneoff: 'com.docker.compose.oneoff',
} as const;

export function serviceLabels(project: string, service: string): string[] {
  return [`${COMPOSE_LABELS.project}=${project}`, `${COMPOSE_LABELS.service}=${service}`];
}
