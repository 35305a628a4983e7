import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';

/**
 * A proxy script run as a child process, so that if it crashes the test sees
 * an exit code instead of losing its own process.
 */
export class ChildProxy {
  exitCode: number | null = null;

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {
    child.once('exit', (code) => {
      this.exitCode = code ?? -1;
    });
  }

  static async start(script: string, upstreamPorts: readonly number[]): Promise<ChildProxy> {
    const child = spawn(process.execPath, [join(__dirname, '..', '..', 'fixtures', 'proxies', script), ...upstreamPorts.map(String)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const [line] = (await once(child.stdout!, 'data')) as [Buffer];
    return new ChildProxy(child, Number(line.toString().trim()));
  }

  get alive(): boolean {
    return this.exitCode === null;
  }

  /** Resolves when the process has exited, with its exit code. */
  async exited(): Promise<number> {
    if (this.exitCode !== null) return this.exitCode;
    await once(this.child, 'exit');
    return this.exitCode ?? -1;
  }

  async close(): Promise<void> {
    if (this.alive) {
      this.child.kill('SIGKILL');
      await once(this.child, 'exit');
    }
  }
}
