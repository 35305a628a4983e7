import { createServer, type Server, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Snapshot } from '../balancer/replica';
import type { DockerApi } from '../docker/docker-api';
import { resolveIdentityOf } from '../docker/identity';
import { ReplicaSource } from '../docker/replica-source';
import { ConfigError, LbError } from '../errors';
import { SWARM_TASK_LABEL, type SwarmApi } from '../swarm/swarm-api';
import { resolveSwarmIdentity } from '../swarm/swarm-identity';
import { SwarmSource } from '../swarm/swarm-source';
import { parseWatchQuery, PROTOCOL_VERSION, sseEvent, WATCH_PATH, type WatchRequest } from './protocol';

/** Keeps a dead connection from looking alive: proxies and balancers see bytes this often. */
const PING_MS = 15_000;
/** A watch nobody follows any more is kept this long, for a balancer that reconnects. */
const LINGER_MS = 30_000;

/** Compose containers, Swarm tasks, or whichever the balancer turns out to be (a Swarm task or not). */
export type Platform = 'auto' | 'compose' | 'swarm';

export interface DiscoveryOptions {
  readonly docker: DockerApi;
  /** The Swarm endpoints, when discovery runs on a manager. */
  readonly swarm?: SwarmApi;
  readonly platform: Platform;
  readonly log: Logger;
  readonly resyncIntervalMs: number;
  /** Advice for a Docker API this process cannot reach (its socket's group, say); undefined for other errors. */
  readonly advise?: (err: NodeJS.ErrnoException) => string | undefined;
}

/** What one watched service needs: where, and how its replicas are reached. */
interface WatchKey {
  readonly platform: 'compose' | 'swarm';
  readonly project: string;
  /** As Docker knows it: the Compose service, or the Swarm service's full name. */
  readonly service: string;
  readonly networks: readonly string[];
  readonly targetPort: number | undefined;
}

/** What follows one service: containers through ReplicaSource, or tasks through SwarmSource. */
interface Source {
  start(): Promise<void>;
  stop(): void;
  current(): Snapshot;
}

/** Where a balancer is, and what its LB_SERVICE names are called there. */
interface Placement {
  readonly platform: 'compose' | 'swarm';
  readonly project: string;
  readonly networks: readonly string[];
  readonly serviceName: (service: string) => string;
}

/** One source, shared by every balancer that watches the same service the same way. */
class Watch {
  readonly followers = new Set<(snapshot: Snapshot, why: string) => void>();
  private readonly source: Source;
  private readonly started: Promise<void>;
  private lingering: NodeJS.Timeout | undefined;

  constructor(
    key: WatchKey,
    opts: DiscoveryOptions,
    private readonly onIdle: () => void,
  ) {
    const onSnapshot = (snapshot: Snapshot, why: string): void => {
      for (const follow of this.followers) follow(snapshot, why);
    };
    const log = opts.log.child({ service: key.service });
    const networks = new Set(key.networks);
    this.source =
      key.platform === 'swarm' && opts.swarm !== undefined
        ? new SwarmSource({ ...key, swarm: opts.swarm, networks, log, onSnapshot, resyncIntervalMs: opts.resyncIntervalMs })
        : new ReplicaSource({ docker: opts.docker, context: { ...key, networks }, log, onSnapshot, resyncIntervalMs: opts.resyncIntervalMs });
    this.started = this.source.start();
  }

  /** Follows the service; the current snapshot comes first, once the first list is in. */
  async follow(follower: (snapshot: Snapshot, why: string) => void): Promise<void> {
    clearTimeout(this.lingering);
    this.followers.add(follower);
    await this.started;
    if (this.followers.has(follower)) follower(this.source.current(), 'initial list');
  }

  unfollow(follower: (snapshot: Snapshot, why: string) => void): void {
    this.followers.delete(follower);
    if (this.followers.size > 0) return;
    this.lingering = setTimeout(() => {
      if (this.followers.size > 0) return;
      this.source.stop();
      this.onIdle();
    }, LINGER_MS);
    this.lingering.unref();
  }

  stop(): void {
    clearTimeout(this.lingering);
    this.source.stop();
  }
}

/**
 * The discovery role: watches Docker for the balancers (the same replica
 * source, events, resync and drain at kill as a balancer with the socket),
 * and serves each service's snapshots over server-sent events. It answers
 * nothing else: no Docker API is reachable through it.
 */
export class DiscoveryServer {
  readonly server: Server;
  private readonly watches = new Map<string, Watch>();
  private streams = 0;

  constructor(private readonly opts: DiscoveryOptions) {
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://discovery');
      if (req.method !== 'GET') return json(res, 405, { error: 'method not allowed' });
      if (url.pathname === '/healthz') return json(res, 200, { status: 'ok', watches: this.watches.size, streams: this.streams });
      if (url.pathname !== WATCH_PATH) return json(res, 404, { error: 'not found', paths: [WATCH_PATH, '/healthz'] });
      const watch = parseWatchQuery(url.searchParams);
      if (typeof watch === 'string') return json(res, 400, { error: watch });
      void this.stream(watch, res);
    });
  }

  close(): void {
    this.server.close();
    this.server.closeAllConnections();
    for (const watch of this.watches.values()) watch.stop();
  }

  private async stream(req: WatchRequest, res: ServerResponse): Promise<void> {
    let placement: Placement;
    try {
      placement = await this.place(req);
    } catch (err) {
      if (err instanceof LbError) {
        json(res, 404, { error: err.message });
        return;
      }
      // Docker itself failed: that is discovery's problem, told in its own log too, not the balancer's.
      const advice = this.opts.advise?.(err as NodeJS.ErrnoException);
      this.opts.log.error({ err }, advice ?? 'cannot ask Docker where the balancer runs');
      json(res, 503, { error: advice ?? `cannot ask Docker where the balancer runs: ${String(err)}` });
      return;
    }
    const { project, networks, platform } = placement;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
    res.write(sseEvent('hello', { v: PROTOCOL_VERSION, project }));
    this.streams++;
    const ping = setInterval(() => res.write(': ping\n\n'), PING_MS);
    const follows = req.services.map((service) => {
      const watch = this.watchFor({ platform, project, service: placement.serviceName(service), networks, targetPort: req.targetPort });
      const follower = (replicas: Snapshot, why: string): void => {
        res.write(sseEvent('snapshot', { service, replicas, why }));
      };
      void watch.follow(follower);
      return { watch, follower };
    });
    this.opts.log.info({ project, services: req.services, balancer: req.self[0] }, 'balancer watching');
    res.once('close', () => {
      this.streams--;
      clearInterval(ping);
      for (const { watch, follower } of follows) watch.unfollow(follower);
      this.opts.log.info({ project, services: req.services, balancer: req.self[0] }, 'balancer stopped watching');
    });
  }

  /**
   * Where the balancer is. Its own container says, as it would tell the balancer itself; a balancer
   * that is a Swarm task (perhaps on another node, where its container cannot be inspected) is
   * found among the swarm's tasks instead. `auto` tries the container first: a node that is no
   * swarm manager answers no task query.
   */
  private async place(req: WatchRequest): Promise<Placement> {
    const { swarm, platform } = this.opts;
    let localFailure: unknown;
    if (platform !== 'swarm') {
      const local = await resolveIdentityOf(this.opts.docker, req, req.self).catch((err: unknown) => {
        if (platform === 'compose' || swarm === undefined) throw err;
        localFailure = err;
        return undefined;
      });
      if (local !== undefined && local.self?.Config?.Labels?.[SWARM_TASK_LABEL] === undefined) {
        return { platform: 'compose', project: local.project, networks: [...local.networks].sort(), serviceName: (s) => s };
      }
    }
    // On a node that is no swarm manager, the task query fails: then the container's answer stands.
    const task =
      swarm === undefined
        ? undefined
        : await resolveSwarmIdentity(swarm, req.self).catch((err: unknown) => {
            if (platform === 'swarm' || localFailure === undefined) throw err;
            throw localFailure;
          });
    if (task === undefined) {
      if (localFailure !== undefined) throw localFailure;
      throw new ConfigError([`no Swarm task runs as the balancer (${req.self.join(', ')})`]);
    }
    return {
      platform: 'swarm',
      project: req.project ?? task.stack ?? '',
      networks: [...(req.network === undefined ? task.networks : new Set([req.network]))].sort(),
      serviceName: task.fullName,
    };
  }

  private watchFor(key: WatchKey): Watch {
    const id = JSON.stringify(key);
    let watch = this.watches.get(id);
    if (watch === undefined) {
      watch = new Watch(key, this.opts, () => this.watches.delete(id));
      this.watches.set(id, watch);
    }
    return watch;
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(`${JSON.stringify(body)}\n`);
}
