import type { Snapshot } from '../balancer/replica';

/**
 * The protocol between discovery (`compose-lb discover`, the only process with
 * the Docker socket) and balancers (`compose-lb serve` with LB_DISCOVERY_URL).
 * Small and versioned; ARCHITECTURE.md documents it.
 *
 *   GET /v1/watch?services=web,api&self=ID[,ID]&project=P&network=N&targetPort=80
 *   -> 200 text/event-stream:
 *        event: hello      data: {"v":1,"project":"shop"}
 *        event: snapshot   data: {"service":"web","replicas":[...],"why":"container start"}
 *        : ping            (every 15 s, so dead connections show)
 *      one snapshot per service at once, then one whenever a service's replicas change.
 *   -> 400/404 {"error": "..."} when the request cannot be served (a message for the balancer's log).
 *
 * `self` is the balancer's container ID as it knows it (hostname, mount table): discovery inspects
 * that container for its Compose project and networks, as a balancer with the socket would itself.
 */
export const PROTOCOL_VERSION = 1;
export const WATCH_PATH = '/v1/watch';

export interface WatchRequest {
  readonly services: readonly string[];
  /** Container IDs the balancer may be running in. */
  readonly self: readonly string[];
  readonly project: string | undefined;
  readonly network: string | undefined;
  readonly targetPort: number | undefined;
}

export interface Hello {
  readonly v: number;
  readonly project: string;
}

export interface SnapshotMessage {
  readonly service: string;
  readonly replicas: Snapshot;
  readonly why: string;
}

export function watchQuery(req: WatchRequest): string {
  const query = new URLSearchParams({ services: req.services.join(','), self: req.self.join(',') });
  if (req.project !== undefined) query.set('project', req.project);
  if (req.network !== undefined) query.set('network', req.network);
  if (req.targetPort !== undefined) query.set('targetPort', String(req.targetPort));
  return `${WATCH_PATH}?${query.toString()}`;
}

/** Reads a watch request's query; a string says what is wrong with it. */
export function parseWatchQuery(query: URLSearchParams): WatchRequest | string {
  const list = (name: string): string[] => (query.get(name) ?? '').split(',').filter((s) => s !== '');
  const services = list('services');
  if (services.length === 0 || services.some((s) => !/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(s))) return 'services= names no valid service';
  const port = query.get('targetPort');
  const targetPort = port === null ? undefined : Number(port);
  if (targetPort !== undefined && !(Number.isInteger(targetPort) && targetPort > 0 && targetPort < 65536)) {
    return 'targetPort= is not a port';
  }
  return {
    services,
    self: list('self'),
    project: query.get('project') ?? undefined,
    network: query.get('network') ?? undefined,
    targetPort,
  };
}

/** One server-sent event. */
export function sseEvent(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}
