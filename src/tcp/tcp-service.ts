import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import { BootWatch } from '../balancer/boot-watch';
import { createPicker } from '../balancer/picker';
import type { Snapshot } from '../balancer/replica';
import { ReplicaSet } from '../balancer/replica-set';
import type { Config } from '../config';
import { listenOn } from '../listen';
import { connectProbe } from '../proxy/connect-probe';
import { DeadlineList } from '../proxy/deadlines';
import { HoldQueue } from '../proxy/hold-queue';
import { DEFAULT_ROUTE, type RouteRule } from '../routing/route-rule';
import { TcpConnection, type TcpContext } from './tcp-connection';
import { TcpReplica } from './tcp-replica';

/**
 * One service in TCP mode (LB_MODE=tcp): a listener of its own, balancing
 * connections over its replicas, for any protocol (Postgres, Redis, MQTT,
 * gRPC over h2c...). No HTTP is parsed on this path.
 */
export class TcpService {
  readonly replicas: ReplicaSet<TcpReplica>;
  readonly holding: HoldQueue;
  /** TCP has no host or path to route by: each service has its own port. */
  readonly rule: RouteRule = DEFAULT_ROUTE;
  private readonly server: Server;
  private readonly ctx: TcpContext;
  private readonly connecting: DeadlineList<TcpConnection>;
  private readonly boot: BootWatch<TcpReplica>;
  private open = 0;
  /** Set while shutting down: called when the last client connection closes. */
  private idle: (() => void) | undefined;

  constructor(
    readonly service: string,
    config: Config,
    log: Logger,
    onChange: () => void,
  ) {
    this.holding = new HoldQueue(service, config.holdTimeout, log);
    this.replicas = new ReplicaSet<TcpReplica>({
      bootGate: true,
      log: log.child({ service }),
      createResources: (replica) => new TcpReplica(replica.host, replica.port),
      ejection: { failures: config.ejectAfter, baseMs: config.ejectTime, maxMs: config.ejectMaxTime },
      holding: this.holding.enabled,
      onChange,
    });
    this.boot = new BootWatch({ replicas: this.replicas, check: connectProbe, timeoutMs: config.connectTimeout, log: log.child({ service }) });
    this.connecting = new DeadlineList<TcpConnection>('connect', config.connectTimeout);
    this.ctx = {
      service,
      replicas: this.replicas,
      picker: createPicker(config.strategy, { slowStartMs: config.slowStart }),
      holding: this.holding,
      connect: this.connecting,
      log,
    };
    this.server = createServer({ allowHalfOpen: true, noDelay: true, pauseOnConnect: true }, (client) => this.accept(client));
    this.server.maxConnections = config.maxConnections;
  }

  /** Client connections open now. */
  get connections(): number {
    return this.open;
  }

  async listen(port: number, host?: string): Promise<AddressInfo> {
    return listenOn(this.server, port, host);
  }

  apply(snapshot: Snapshot, why: string): void {
    this.replicas.apply(snapshot, why);
    this.boot.watchNew();
  }

  tick(now: number): void {
    this.connecting.expire(now);
    this.holding.tick(now);
  }

  /** Stops accepting; open connections run until their ends close them, or `timeoutMs`. */
  async shutdown(timeoutMs: number): Promise<number> {
    this.server.close();
    if (this.open > 0) {
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.idle = resolve;
        timer = setTimeout(resolve, timeoutMs);
      });
      clearTimeout(timer);
    }
    const cut = this.open;
    this.close();
    return cut;
  }

  close(): void {
    this.boot.stop();
    this.server.close();
    for (const backend of this.replicas.all()) backend.resources.close();
  }

  private accept(client: Socket): void {
    this.open++;
    client.once('close', () => {
      if (--this.open === 0) this.idle?.();
    });
    new TcpConnection(this.ctx, client).pick();
  }
}
