import { PassThrough, type Readable } from 'node:stream';
import type { ServiceJson, SwarmApi, TaskJson } from '../../../src/swarm/swarm-api';

/** A swarm in memory: tasks and services the test edits, and an events stream it writes to. */
export class FakeSwarm implements SwarmApi {
  readonly tasks = new Map<string, TaskJson>();
  readonly services = new Map<string, ServiceJson>();
  listings = 0;
  private stream: PassThrough | undefined;

  async listTasks(service: string | undefined): Promise<TaskJson[]> {
    this.listings++;
    const id = service === undefined ? undefined : [...this.services.values()].find((s) => s.Spec?.Name === service || s.ID === service)?.ID;
    return [...this.tasks.values()].filter((t) => service === undefined || t.ServiceID === id);
  }

  async inspectService(idOrName: string): Promise<ServiceJson | undefined> {
    return [...this.services.values()].find((s) => s.ID === idOrName || s.Spec?.Name === idOrName);
  }

  async streamSwarmEvents(): Promise<Readable> {
    this.stream = new PassThrough();
    return this.stream;
  }

  /** A service event, as `docker service update` makes one. */
  emitServiceUpdate(name: string): void {
    this.stream?.write(`${JSON.stringify({ Type: 'service', Action: 'update', Actor: { Attributes: { name } } })}\n`);
  }
}

/** A running task of service `serviceId` in slot `slot`, on the overlay network `shop_default`. */
export function task(serviceId: string, slot: number, over: Partial<TaskJson> = {}): TaskJson {
  return {
    ID: `task${serviceId}${slot}`,
    ServiceID: serviceId,
    Slot: slot,
    DesiredState: 'running',
    Status: { State: 'running', ContainerStatus: { ContainerID: `${serviceId}${slot}`.padEnd(64, '0') } },
    Spec: { ContainerSpec: { Labels: {}, StopGracePeriod: 5e9 } },
    NetworksAttachments: [{ Network: { ID: 'net1', Spec: { Name: 'shop_default' } }, Addresses: [`10.0.1.${slot + 10}/24`] }],
    ...over,
  };
}
