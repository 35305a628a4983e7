export interface ProcessResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The only way the CLI runs other programs (docker, docker compose,
 * docker-compose), so scale, status, drain and rollout can be tested with a fake.
 * A program that is not installed gives exit code 127, as in a shell.
 */
export interface ProcessRunner {
  capture(program: string, args: readonly string[]): Promise<ProcessResult>;
  /** Runs with the user's terminal, so they see the program's own progress; resolves to its exit code. */
  passThrough(program: string, args: readonly string[]): Promise<number>;
}

export const NOT_FOUND = 127;

/** What a failed program said, for messages: its stderr, else its exit code. */
export function whyFailed(result: ProcessResult): string {
  return result.stderr.trim() || `exit code ${result.code}`;
}
