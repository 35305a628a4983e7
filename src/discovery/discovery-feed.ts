import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import type { Snapshot } from '../balancer/replica';
import { backoffDelay, type BackoffPolicy } from '../docker/backoff';
import type { FeedStatus, SnapshotFeed } from '../docker/docker-feed';
import { selfIdCandidates, type HostFacts } from '../docker/identity';
import { watchQuery, type Hello, type SnapshotMessage, type WatchRequest } from './protocol';
import { SseParser } from './sse-parser';

const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 100, maxMs: 5_000 };
/** Three missed pings (discovery sends one every 15 s): the connection is dead, whatever TCP says. */
const SILENCE_MS = 45_000;

export interface DiscoveryFeedOptions {
  /** LB_DISCOVERY_URL, e.g. http://lb-discovery:8082 */
  readonly url: string;
  readonly services: readonly string[];
  readonly project: string | undefined;
  readonly network: string | undefined;
  readonly targetPort: number | undefined;
  readonly host: HostFacts;
  readonly log: Logger;
  readonly backoff?: BackoffPolicy;
}

/**
 * A balancer's snapshots from discovery instead of the Docker API: the
 * balancer holds no socket. When discovery goes away it keeps serving with its
 * last view (visible as stale in /healthz and the metrics), reconnects with
 * backoff, and takes the full snapshots discovery sends on every connect.
 */
export class DiscoveryFeed implements SnapshotFeed {
  private projectName = '';
  private req: ClientRequest | undefined;
  private stopped = false;
  private connectedNow = false;
  private since = Date.now();
  private attempt = 0;
  private silence: NodeJS.Timeout | undefined;
  private readonly watch: WatchRequest;

  constructor(private readonly opts: DiscoveryFeedOptions) {
    this.watch = {
      services: opts.services,
      // The full ID from the mount table first: a custom hostname may not name the container.
      self: selfIdCandidates(opts.host.hostname, opts.host.mountinfo).reverse(),
      project: opts.project,
      network: opts.network,
      targetPort: opts.targetPort,
    };
  }

  get project(): string {
    return this.projectName;
  }

  status(): FeedStatus {
    return { source: 'discovery', connected: this.connectedNow, since: this.since };
  }

  /** Resolves once every service has its first snapshot, or the first connection failed. */
  start(onSnapshot: (service: string, snapshot: Snapshot, why: string) => void): Promise<void> {
    return new Promise((resolve) => {
      const waiting = new Set(this.opts.services);
      this.connect(
        (service, snapshot, why) => {
          onSnapshot(service, snapshot, why);
          waiting.delete(service);
          if (waiting.size === 0) resolve();
        },
        () => resolve(),
      );
    });
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.silence);
    this.req?.destroy();
  }

  private connect(onSnapshot: (service: string, snapshot: Snapshot, why: string) => void, onFailure: () => void): void {
    if (this.stopped) return;
    const url = new URL(watchQuery(this.watch), this.opts.url);
    const req = request(url, { headers: { accept: 'text/event-stream' } }, (res) => this.read(res, onSnapshot, onFailure));
    this.req = req;
    req.on('error', (err) => {
      this.opts.log.warn({ err: err.message, url: this.opts.url }, 'discovery unreachable; keeping the last known replicas');
      this.retry(onSnapshot, onFailure);
    });
    req.end();
  }

  private read(
    res: IncomingMessage,
    onSnapshot: (service: string, snapshot: Snapshot, why: string) => void,
    onFailure: () => void,
  ): void {
    if (res.statusCode !== 200) {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        this.opts.log.error({ status: res.statusCode, answer: body.trim() }, 'discovery refused to watch for this balancer');
        this.retry(onSnapshot, onFailure);
      });
      return;
    }
    const parser = new SseParser();
    this.attempt = 0;
    this.alive(res);
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      this.alive(res);
      for (const { event, data } of parser.push(chunk)) {
        if (event === 'hello') this.hello(JSON.parse(data) as Hello);
        else if (event === 'snapshot') {
          const message = JSON.parse(data) as SnapshotMessage;
          onSnapshot(message.service, message.replicas, `discovery: ${message.why}`);
        }
      }
    });
    res.on('close', () => {
      if (this.stopped) return;
      this.opts.log.warn('discovery stream ended; keeping the last known replicas');
      this.retry(onSnapshot, onFailure);
    });
  }

  private hello(hello: Hello): void {
    this.projectName = hello.project;
    this.connectedNow = true;
    this.since = Date.now();
    this.opts.log.info({ url: this.opts.url, project: hello.project, protocol: hello.v }, 'watching replicas through discovery');
  }

  /** Re-arms the silence timer: a stream that says nothing for too long is given up and reopened. */
  private alive(res: IncomingMessage): void {
    clearTimeout(this.silence);
    this.silence = setTimeout(() => res.destroy(), SILENCE_MS);
    this.silence.unref();
  }

  private retry(onSnapshot: (service: string, snapshot: Snapshot, why: string) => void, onFailure: () => void): void {
    clearTimeout(this.silence);
    if (this.connectedNow) {
      this.connectedNow = false;
      this.since = Date.now();
    }
    onFailure();
    if (this.stopped) return;
    const delay = backoffDelay(this.attempt++, this.opts.backoff ?? DEFAULT_BACKOFF);
    setTimeout(() => this.connect(onSnapshot, onFailure), delay).unref();
  }
}
