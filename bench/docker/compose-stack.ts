import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { COMPOSE_LABELS } from '../../src/docker/docker-api';
import { spawnRunner } from '../../src/runtime/spawn-runner';
import type { Cleanup } from '../cleanup';
import type { ComposeDocument } from './stack-file';

/** Runs a program and returns its stdout; throws with its stderr when it fails. */
export async function capture(program: string, args: readonly string[]): Promise<string> {
  const { code, stdout, stderr } = await spawnRunner.capture(program, args);
  if (code !== 0) throw new Error(`${program} ${args.join(' ')} failed (${code}): ${stderr.trim()}`);
  return stdout;
}

export interface ContainerFacts {
  readonly id: string;
  /** The container's hostname: the demo app's X-Replica value. */
  readonly shortId: string;
  readonly ip: string;
  /** Its main process as the host sees it, for CPU and memory readings. */
  readonly pid: number;
}

/**
 * One Compose project made by the bench: a unique `clbbench…` name, its own
 * default network, and `down -v` in the cleanup so it goes even on Ctrl-C or
 * failure. Uses Compose v2 (`docker compose`).
 */
export class ComposeStack {
  readonly project = `clbbench${randomBytes(4).toString('hex')}`;
  private readonly forget: () => void;
  /** Compose commands run one at a time, so `down` never races an `up` still creating containers. */
  private queue: Promise<unknown> = Promise.resolve();
  private tornDown = false;

  private constructor(
    private readonly dir: string,
    /** The compose file, for commands that take one (`compose-lb rollout -f`). */
    readonly file: string,
    private readonly cleanup: Cleanup,
    /** Addresses of this stack's containers are added here: the load may go to them. */
    private readonly ownAddresses: Set<string>,
  ) {
    this.forget = cleanup.add(`compose project ${this.project}`, () => this.teardown());
  }

  static async create(doc: ComposeDocument, cleanup: Cleanup, ownAddresses: Set<string>): Promise<ComposeStack> {
    const dir = await mkdtemp(join(tmpdir(), 'clbbench-'));
    const file = join(dir, 'compose.yaml');
    await writeFile(file, stringify(doc));
    return new ComposeStack(dir, file, cleanup, ownAddresses);
  }

  /** Writes the file anew (a new image tag, say); running containers keep what they were created with. */
  async rewrite(doc: ComposeDocument): Promise<void> {
    await writeFile(this.file, stringify(doc));
  }

  /** The network Compose made for the project, which every service is on. */
  get network(): string {
    return `${this.project}_default`;
  }

  compose(args: readonly string[]): Promise<string> {
    const run = (): Promise<string> => {
      // Once taken down (Ctrl-C), nothing brings the project back.
      if (this.tornDown && args[0] !== 'down') return Promise.reject(new Error(`${this.project} is already down`));
      return capture('docker', ['compose', '-p', this.project, '-f', this.file, ...args]);
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Starts (or scales) services; `--no-recreate` keeps running replicas as they are. */
  async up(scale: Readonly<Record<string, number>>, services: readonly string[] = []): Promise<void> {
    const scales = Object.entries(scale).flatMap(([service, n]) => ['--scale', `${service}=${n}`]);
    await this.compose(['up', '-d', '--no-recreate', ...scales, ...services]);
  }

  async containerIds(service: string): Promise<string[]> {
    const out = await capture('docker', [
      'ps',
      '-q',
      '--no-trunc',
      '--filter',
      `label=${COMPOSE_LABELS.project}=${this.project}`,
      '--filter',
      `label=${COMPOSE_LABELS.service}=${service}`,
    ]);
    return out.split('\n').filter((id) => id !== '');
  }

  async inspect(id: string): Promise<ContainerFacts> {
    const format = `{{.Config.Hostname}} {{.State.Pid}} {{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}`;
    const [shortId, pid, ip] = (await capture('docker', ['inspect', '--format', format, id])).trim().split(/\s+/);
    if (!shortId || !pid || !ip) throw new Error(`container ${id} has no address or process`);
    this.ownAddresses.add(ip);
    return { id, shortId, ip, pid: Number(pid) };
  }

  async containers(service: string): Promise<ContainerFacts[]> {
    return Promise.all((await this.containerIds(service)).map((id) => this.inspect(id)));
  }

  async logs(service: string): Promise<string> {
    return this.compose(['logs', '--no-color', service]).catch((err: Error) => err.message);
  }

  async down(): Promise<void> {
    await this.cleanup.run(this.forget, () => this.teardown());
  }

  private async teardown(): Promise<void> {
    this.tornDown = true;
    try {
      await this.compose(['down', '-v', '-t', '1', '--remove-orphans']);
    } finally {
      await rm(this.dir, { recursive: true, force: true });
    }
  }
}
