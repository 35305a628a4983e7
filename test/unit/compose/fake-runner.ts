import type { ProcessResult, ProcessRunner } from '../../../src/runtime/process-runner';

export type Script = (command: string) => Partial<ProcessResult> | undefined;

/**
 * A ProcessRunner answering from a script keyed on the command line
 * ("docker compose version"); unscripted commands exit 127, like a missing program.
 */
export class FakeRunner implements ProcessRunner {
  readonly calls: string[] = [];

  constructor(private readonly script: Script) {}

  async capture(program: string, args: readonly string[]): Promise<ProcessResult> {
    const command = [program, ...args].join(' ');
    this.calls.push(command);
    const answer = this.script(command);
    if (!answer) return { code: 127, stdout: '', stderr: `${program}: not found` };
    return { code: 0, stdout: '', stderr: '', ...answer };
  }

  async passThrough(program: string, args: readonly string[]): Promise<number> {
    return (await this.capture(program, args)).code;
  }
}
