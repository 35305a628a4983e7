import { spawn } from 'node:child_process';

export interface ProcessResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The only way the CLI runs other programs (docker, docker compose,
 * docker-compose), so scale and status can be tested with a fake.
 * A program that is not installed gives exit code 127, as in a shell.
 */
export interface ProcessRunner {
  capture(program: string, args: readonly string[]): Promise<ProcessResult>;
  /** Runs with the user's terminal, so they see the program's own progress; resolves to its exit code. */
  passThrough(program: string, args: readonly string[]): Promise<number>;
}

export const NOT_FOUND = 127;

export const spawnRunner: ProcessRunner = {
  capture: (program, args) =>
    new Promise((resolve) => {
      const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      child.on('error', (err) => resolve({ code: NOT_FOUND, stdout, stderr: `${program}: ${err.message}` }));
      child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    }),
  passThrough: (program, args) =>
    new Promise((resolve) => {
      const child = spawn(program, args, { stdio: 'inherit' });
      child.on('error', () => resolve(NOT_FOUND));
      child.on('close', (code) => resolve(code ?? 1));
    }),
};
