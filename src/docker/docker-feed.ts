import type { Logger } from 'pino';
import type { Snapshot } from '../balancer/replica';
import type { DockerApi } from './docker-api';
import { resolveIdentity, type IdentityConfig } from './identity';
import { ReplicaSource } from './replica-source';

/** Where a balancer's replicas come from, and whether that view is current. */
export interface FeedStatus {
  readonly source: 'docker' | 'discovery';
  /** False while the source is unreachable: the balancer serves its last view, which may be stale. */
  readonly connected: boolean;
  /** When `connected` last changed (epoch ms). */
  readonly since: number;
}

/** Snapshots of every balanced service's replicas, from wherever they are found. */
export interface SnapshotFeed {
  /** The Compose project the services belong to. */
  readonly project: string;
  status(): FeedStatus;
  /** Starts watching; resolves once every service has a first view (or its first try failed). */
  start(onSnapshot: (service: string, snapshot: Snapshot, why: string) => void): Promise<void>;
  stop(): void;
}

export interface DockerFeedOptions extends IdentityConfig {
  readonly targetPort: number | undefined;
  readonly resyncIntervalMs: number;
}

/** The feed straight from the Docker API: one ReplicaSource per service, in the balancer's own process. */
export class DockerFeed implements SnapshotFeed {
  private sources: ReplicaSource[] = [];
  private connected = true;
  private since = Date.now();

  private constructor(
    readonly project: string,
    private readonly create: (service: string, onSnapshot: (snapshot: Snapshot, why: string) => void) => ReplicaSource,
    private readonly services: readonly string[],
  ) {}

  /** Settles which project and networks (from config, else the balancer's own container) first. */
  static async open(docker: DockerApi, opts: DockerFeedOptions, log: Logger): Promise<DockerFeed> {
    const identity = await resolveIdentity(docker, opts);
    const create = (service: string, onSnapshot: (snapshot: Snapshot, why: string) => void): ReplicaSource =>
      new ReplicaSource({
        docker,
        context: { project: identity.project, service, targetPort: opts.targetPort, networks: identity.networks },
        log: log.child({ service }),
        onSnapshot,
        resyncIntervalMs: opts.resyncIntervalMs,
      });
    return new DockerFeed(identity.project, create, opts.services);
  }

  async start(onSnapshot: (service: string, snapshot: Snapshot, why: string) => void): Promise<void> {
    this.sources = this.services.map((service) => this.create(service, (snapshot, why) => onSnapshot(service, snapshot, why)));
    await Promise.all(this.sources.map((source) => source.start()));
  }

  stop(): void {
    for (const source of this.sources) source.stop();
  }

  /** Through an events-stream outage the sources keep their last view: connected is false meanwhile. */
  status(): FeedStatus {
    const connected = this.sources.every((s) => s.streaming);
    if (connected !== this.connected) {
      this.connected = connected;
      this.since = Date.now();
    }
    return { source: 'docker', connected, since: this.since };
  }
}
