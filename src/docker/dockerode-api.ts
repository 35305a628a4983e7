import Docker from 'dockerode';
import type { Readable } from 'node:stream';
import type { ServiceJson, SwarmApi, TaskJson } from '../swarm/swarm-api';
import type { ContainerJson, DockerApi } from './docker-api';

/**
 * DockerApi over dockerode. Connects the way the docker CLI does: DOCKER_HOST
 * (unix://, tcp://, e.g. a socket proxy) or /var/run/docker.sock.
 */
export class DockerodeApi implements DockerApi, SwarmApi {
  constructor(private readonly docker: Docker = new Docker()) {}

  async listContainerIds(labels: readonly string[]): Promise<string[]> {
    const containers = await this.docker.listContainers({
      filters: { label: [...labels], status: ['running'] },
    });
    return containers.map((c) => c.Id);
  }

  async inspectContainer(id: string): Promise<ContainerJson | undefined> {
    try {
      return (await this.docker.getContainer(id).inspect()) as ContainerJson;
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return undefined;
      throw err;
    }
  }

  async listTasks(service: string | undefined): Promise<TaskJson[]> {
    const filters = service === undefined ? {} : { service: [service] };
    return (await this.docker.listTasks({ filters })) as TaskJson[];
  }

  async inspectService(idOrName: string): Promise<ServiceJson | undefined> {
    try {
      return (await this.docker.getService(idOrName).inspect()) as ServiceJson;
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return undefined;
      throw err;
    }
  }

  async streamSwarmEvents(): Promise<Readable> {
    return (await this.docker.getEvents({ filters: { type: ['service', 'node'] } })) as unknown as Readable;
  }

  async streamEvents(labels: readonly string[]): Promise<Readable> {
    return (await this.docker.getEvents({
      filters: { type: ['container'], label: [...labels] },
    })) as unknown as Readable;
  }
}
