import type { Logger } from 'pino';
import type { ClientRequest } from './client/client-message';
import type { FailureKind } from './upstream-failure';

/** What the proxy reports per request, for one service; kept narrow so tests can count calls. */
export interface Metrics {
  request(status: number, seconds: number): void;
  upstreamError(kind: FailureKind): void;
  /** A request waited this long for a ready replica (it was held). */
  held(seconds: number): void;
}

/** Where requests are counted and logged. */
export interface Recorder {
  readonly metrics: Metrics;
  readonly log: Logger;
  readonly accessLog: boolean;
}

/** How one request ended, for the metrics and the access log. */
export interface RequestRecord {
  readonly req: ClientRequest;
  /** The status sent, or 499 when the client went away first. */
  readonly status: number;
  /** performance.now() when the request arrived. */
  readonly startedAt: number;
  readonly client: string | undefined;
  readonly replica?: string | undefined;
}

/** Counts a request and writes its access log line, whether a replica answered it or the balancer did. */
export function recordRequest(ctx: Recorder, record: RequestRecord): void {
  const seconds = (performance.now() - record.startedAt) / 1000;
  ctx.metrics.request(record.status, seconds);
  if (!ctx.accessLog) return;
  const { req, status, client, replica } = record;
  ctx.log.info({ method: req.method, url: req.url, status, ms: Math.round(seconds * 1000), replica, client }, 'request');
}
