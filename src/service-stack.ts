import type { Logger } from 'pino';
import { ActiveHealth } from './balancer/active-health';
import { BootWatch } from './balancer/boot-watch';
import { createPicker } from './balancer/picker';
import type { Replica, Snapshot } from './balancer/replica';
import { ReplicaSet } from './balancer/replica-set';
import type { Config } from './config';
import type { ExchangeContext, ExchangeDeadlines } from './proxy/exchange';
import { HoldQueue } from './proxy/hold-queue';
import { connectProbe } from './proxy/connect-probe';
import { httpProbe } from './proxy/http-probe';
import type { Metrics } from './proxy/request-record';
import { StickyCookies } from './proxy/sticky-cookie';
import { ReplicaPool } from './proxy/upstream/replica-pool';
import { DEFAULT_ROUTE, describeRule, sameRule, type RouteRule } from './routing/route-rule';

/** What every service's stack shares. */
export interface SharedParts {
  readonly config: Config;
  readonly log: Logger;
  readonly deadlines: ExchangeDeadlines;
  readonly metricsFor: (service: string) => Metrics;
  /** The replicas that may take requests changed, in any service. */
  readonly onReplicasChange: () => void;
  /** A service's routing rule changed. */
  readonly onRuleChange: () => void;
}

/**
 * One balanced service, wired as in production: its replica set, picker, held
 * requests, health probes and request context, and the routing rule its
 * replicas' labels set. Each service keeps its own; they share the listener.
 */
export class ServiceStack {
  readonly replicas: ReplicaSet<ReplicaPool>;
  readonly holding: HoldQueue;
  readonly health: ActiveHealth<ReplicaPool>;
  private readonly boot: BootWatch<ReplicaPool>;
  readonly ctx: ExchangeContext;
  private ruleNow: RouteRule = DEFAULT_ROUTE;

  constructor(
    readonly service: string,
    private readonly parts: SharedParts,
  ) {
    const { config, log } = parts;
    const pathFor = (replica: Replica): string | undefined => replica.healthPath ?? config.healthPath;
    this.holding = new HoldQueue(service, config.holdTimeout, log);
    this.replicas = new ReplicaSet<ReplicaPool>({
      bootGate: true,
      probePath: pathFor,
      log: log.child({ service }),
      createResources: (replica) =>
        new ReplicaPool(replica.host, replica.port, {
          idleTimeoutMs: config.upstreamIdleTimeout,
          maxConnections: config.maxConnsPerReplica,
        }),
      ejection: { failures: config.ejectAfter, baseMs: config.ejectTime, maxMs: config.ejectMaxTime },
      holding: this.holding.enabled,
      onChange: parts.onReplicasChange,
    });
    this.ctx = {
      service,
      replicas: this.replicas,
      picker: createPicker(config.strategy, { slowStartMs: config.slowStart }),
      log,
      metrics: parts.metricsFor(service),
      accessLog: config.accessLog,
      maxRetries: config.retries,
      deadlines: parts.deadlines,
      holding: this.holding,
      sticky: config.sticky === 'cookie' ? new StickyCookies(service, config.stickySecret) : undefined,
    };
    this.health = new ActiveHealth({
      replicas: this.replicas,
      pathFor,
      probe: httpProbe,
      intervalMs: config.healthInterval,
      timeoutMs: config.healthTimeout,
    });
    this.boot = new BootWatch({
      replicas: this.replicas,
      check: connectProbe,
      timeoutMs: config.connectTimeout,
      log: log.child({ service }),
      onAccepting: () => this.health.probePending(),
    });
  }

  /** Which requests come here, as the replicas' labels last said. */
  get rule(): RouteRule {
    return this.ruleNow;
  }

  /** A new snapshot from discovery: replicas, their checks, and the rule its labels carry. */
  apply(snapshot: Snapshot, why: string): void {
    this.replicas.apply(snapshot, why);
    this.boot.watchNew();
    this.health.probePending();
    const rule = ruleOf(snapshot);
    if (rule === undefined || sameRule(rule, this.ruleNow)) return;
    this.ruleNow = rule;
    this.parts.log.info({ service: this.service, route: describeRule(rule), why }, 'route changed');
    this.parts.onRuleChange();
  }

  /** Per-tick upkeep: held requests, idle connections. */
  tick(now: number): void {
    this.holding.tick(now);
    for (const backend of this.replicas.all()) backend.resources.sweep(now);
  }

  close(): void {
    this.boot.stop();
    this.health.stop();
    for (const backend of this.replicas.all()) backend.resources.close();
  }
}

/**
 * The service's rule: that of its newest replica still serving (after a rollout that relabelled it,
 * the new ones'). With no replica at all the last rule stands, so a service being restarted keeps its
 * requests (they are held) instead of losing them to the default route.
 */
export function ruleOf(snapshot: Snapshot): RouteRule | undefined {
  const serving = snapshot.filter((r) => !r.stopping);
  const newest = (serving.length > 0 ? serving : snapshot).reduce<Replica | undefined>(
    (best, r) => (best === undefined || (r.number ?? 0) >= (best.number ?? 0) ? r : best),
    undefined,
  );
  return newest === undefined ? undefined : (newest.route ?? DEFAULT_ROUTE);
}
