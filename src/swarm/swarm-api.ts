import type { Readable } from 'node:stream';

/**
 * The slice of the Docker API's Swarm endpoints discovery uses on a manager:
 * tasks, services and their events, all read-only. Like DockerApi, code
 * depends on this, not on dockerode.
 */
export interface SwarmApi {
  /** Tasks of a service (every desired state), or of every service when `service` is undefined. */
  listTasks(service: string | undefined): Promise<TaskJson[]>;
  /** `undefined` when the service does not exist. */
  inspectService(idOrName: string): Promise<ServiceJson | undefined>;
  /** Service and node events; resolves once the stream is open. */
  streamSwarmEvents(): Promise<Readable>;
}

/** The fields of a task (`GET /tasks`) that we read. */
export interface TaskJson {
  readonly ID: string;
  readonly ServiceID?: string;
  readonly Slot?: number;
  readonly NodeID?: string;
  /** What the orchestrator wants: `running`, or `shutdown` once it is being replaced, scaled away or its node drained. */
  readonly DesiredState?: string;
  readonly Status?: {
    /** `new` ... `starting`, `running`, `shutdown`, `complete`, `failed`... */
    readonly State?: string;
    readonly ContainerStatus?: { readonly ContainerID?: string };
  };
  readonly Spec?: {
    readonly ContainerSpec?: {
      readonly Labels?: Readonly<Record<string, string>> | null;
      /** Nanoseconds between the stop signal and SIGKILL. */
      readonly StopGracePeriod?: number;
    };
  };
  readonly NetworksAttachments?: ReadonlyArray<{
    readonly Network?: { readonly ID?: string; readonly Spec?: { readonly Name?: string } };
    /** CIDR notation: `10.0.1.5/24`. */
    readonly Addresses?: readonly string[];
  }> | null;
}

/** The fields of a service (`GET /services/{id}`) that we read. */
export interface ServiceJson {
  readonly ID: string;
  readonly Spec?: {
    readonly Name?: string;
    readonly Labels?: Readonly<Record<string, string>> | null;
  };
  /** Set during `docker service update`: `updating`, `completed`, `rollback_started`... */
  readonly UpdateStatus?: { readonly State?: string } | null;
}

/** The label `docker stack deploy` puts on every service of a stack. */
export const STACK_LABEL = 'com.docker.stack.namespace';

/** The label Swarm puts on a task's container. */
export const SWARM_TASK_LABEL = 'com.docker.swarm.task.id';
