import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ENV, type ComposeFlavor } from './env';
import { run, type ExecResult } from './exec';

export const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'docker');

/** The CLI as the global setup built it. */
export const CLI = join(__dirname, '..', '..', '..', 'dist', 'compose-lb.js');

/** The command line of each Compose flavour. */
export function composeCommand(flavor: ComposeFlavor): [string, string[]] {
  return flavor === 'v2' ? ['docker', ['compose']] : ['docker-compose', []];
}

/**
 * One Compose project made by one test: a unique name, so tests never touch
 * each other's (or the user's) containers, and `down` removes exactly what it made.
 */
export class ComposeProject {
  readonly name = `clbtest${randomBytes(4).toString('hex')}`;
  private env: NodeJS.ProcessEnv;

  constructor(
    readonly flavor: ComposeFlavor,
    readonly file: string,
    env: Record<string, string> = {},
  ) {
    this.env = { ...process.env, ...env };
  }

  /** Changes variables the compose file reads, for the commands from now on (a new image tag, say). */
  setEnv(extra: Record<string, string>): void {
    this.env = { ...this.env, ...extra };
  }

  compose(args: readonly string[], timeoutMs = 180_000): Promise<ExecResult> {
    const [cmd, pre] = composeCommand(this.flavor);
    return run(cmd, [...pre, '-p', this.name, '-f', this.file, ...args], { env: this.env, timeoutMs });
  }

  /** Runs compose-lb's CLI with this project's variables, with the same Compose flavour. */
  cli(args: readonly string[], timeoutMs = 180_000): Promise<ExecResult> {
    const env = { ...this.env, COMPOSE_LB_COMPOSE: this.flavor === 'v2' ? 'docker compose' : 'docker-compose' };
    return run(process.execPath, [CLI, ...args], { env, timeoutMs });
  }

  async up(scale: Record<string, number> = {}, services: readonly string[] = []): Promise<void> {
    const scales = Object.entries(scale).flatMap(([service, n]) => ['--scale', `${service}=${n}`]);
    await this.compose(['up', '-d', '--no-recreate', ...scales, ...services]);
  }

  /** Full container IDs of a service's running containers. */
  async containerIds(service: string): Promise<string[]> {
    const { stdout } = await run('docker', [
      'ps',
      '-q',
      '--no-trunc',
      '--filter',
      `label=com.docker.compose.project=${this.name}`,
      '--filter',
      `label=com.docker.compose.service=${service}`,
    ]);
    return stdout.split('\n').filter(Boolean);
  }

  async oneContainer(service: string): Promise<string> {
    const ids = await this.containerIds(service);
    if (ids.length !== 1 || ids[0] === undefined) throw new Error(`expected one ${service} container, found ${ids.length}`);
    return ids[0];
  }

  /** `http://127.0.0.1:PORT` where the service's container port is published. */
  async publishedUrl(service: string, port: number): Promise<string> {
    return publishedUrl(await this.oneContainer(service), port);
  }

  async logs(service: string): Promise<string> {
    const { stdout } = await this.compose(['logs', '--no-color', service]).catch(() => ({ stdout: '' }));
    return stdout;
  }

  async down(): Promise<void> {
    await this.compose(['down', '-v', '-t', '1', '--remove-orphans']);
  }
}

/** The images and the socket group the fixtures need, as the global setup made them. */
export function fixtureEnv(extra: Record<string, string> = {}): Record<string, string> {
  const pick = (name: string): string => {
    const value = process.env[name];
    if (value === undefined) throw new Error(`${name} is not set: run Docker tests through jest (global setup)`);
    return value;
  };
  return {
    LB_IMAGE: pick(ENV.lbImage),
    APP_IMAGE: pick(ENV.appImage),
    BUSYBOX_IMAGE: pick(ENV.busyboxImage),
    PYTHON_IMAGE: pick(ENV.pythonImage),
    NGINX_IMAGE: pick(ENV.nginxImage),
    LIGHTTPD_IMAGE: pick(ENV.lighttpdImage),
    REDIS_IMAGE: pick(ENV.redisImage),
    DOCKER_GID: pick(ENV.dockerGid),
    ...extra,
  };
}

/** The container's address, on a network the host can reach (not an internal one, such as compose-lb's own). */
export async function containerIp(id: string): Promise<string> {
  const { stdout } = await run('docker', [
    'inspect',
    '--format',
    '{{range $name, $net := .NetworkSettings.Networks}}{{$name}}={{$net.IPAddress}} {{end}}',
    id,
  ]);
  const addresses = stdout.trim().split(' ').map((pair) => pair.split('='));
  const ip = (addresses.find(([name]) => !name?.endsWith('compose-lb')) ?? addresses[0])?.[1];
  if (!ip) throw new Error(`container ${id} has no IP address`);
  return ip;
}

/**
 * `http://127.0.0.1:PORT` where a container's port is published: `docker port`, not `compose port`,
 * the same answer without starting Compose v1's Python.
 */
export async function publishedUrl(containerId: string, port: number): Promise<string> {
  const { stdout } = await run('docker', ['port', containerId, `${port}/tcp`]);
  const hostPort = stdout.trim().split('\n')[0]?.split(':').pop();
  if (!hostPort) throw new Error(`${containerId.slice(0, 12)}:${port} is not published`);
  return `http://127.0.0.1:${hostPort}`;
}
